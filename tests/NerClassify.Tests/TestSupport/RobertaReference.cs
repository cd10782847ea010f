using System.Text.Json.Nodes;

namespace NerClassify.Tests.TestSupport;

/// <summary>
/// The tiny RoBERTa / XLM-RoBERTa reference models under tests/NerClassify.Tests/Reference, written by a PyTorch
/// forward that follows Hugging Face's modeling_roberta.py (make_roberta_reference.py), with their expected outputs.
/// </summary>
internal static class RobertaReference
{
    /// <summary>The reference folder.</summary>
    public static string Folder => Path.Combine(TestPaths.RepositoryRoot ?? throw new InvalidOperationException("The repository root was not found."), "tests", "NerClassify.Tests", "Reference");

    /// <summary>The SentencePiece Unigram model trained on CoNLL-2003 text.</summary>
    public static string SentencePieceModel => Path.Combine(Folder, "tokenizers", "conll-unigram.model");

    /// <summary>
    /// Copies a reference model into <paramref name="target"/> as a Hugging Face directory with one weights file
    /// (<c>model.safetensors</c> or <c>pytorch_model.bin</c>); the XLM-R folder gets the SentencePiece model.
    /// </summary>
    public static void CopyModel(string name, string target, string weightsFile)
    {
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(Path.Combine(Folder, name)))
        {
            string fileName = Path.GetFileName(file);
            if (fileName is "model.safetensors" or "pytorch_model.bin" && fileName != weightsFile)
            {
                continue;
            }

            File.Copy(file, Path.Combine(target, fileName), overwrite: true);
        }

        if (!File.Exists(Path.Combine(target, "vocab.json")))
        {
            File.Copy(SentencePieceModel, Path.Combine(target, "sentencepiece.bpe.model"), overwrite: true);
        }
    }

    /// <summary>The expected inputs and outputs of a reference model.</summary>
    public static JsonObject Expected(string name) => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, name, "expected.json")))!;

    /// <summary>A [rows][columns] JSON array of integers, flattened.</summary>
    public static long[] Flat(JsonNode rows) => rows.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<long>())).ToArray();

    /// <summary>A flat JSON array of numbers.</summary>
    public static float[] Floats(JsonNode values) => values.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray();
}
