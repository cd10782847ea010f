using Microsoft.ML.OnnxRuntime;
using NerClassify.Checkpoints.Onnx;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Export;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tokenization;
using static TorchSharp.torch;

namespace NerClassify.Tests.Export;

/// <summary>Runs one batch through TorchSharp and through ONNX Runtime on an exported file, and compares logits.</summary>
internal static class ExportedGraph
{
    /// <summary>One padded batch (no length bucketing, so short rows are padded) of <paramref name="sentences"/>.</summary>
    public static Batch BatchOf(TaskModel model, BertVocabulary vocabulary, IReadOnlyList<IReadOnlyList<string>> sentences)
    {
        using Stream vocab = vocabulary.OpenRead();
        var runner = new ModelRunner(new TorchSharpBackend(model), BertWordTokenizer.Create(vocab, vocabulary.LowerCase), new EncodingOptions { MaxLength = 64, Stride = 16 }, false);
        List<EncodedSentence> windows = sentences.SelectMany((words, i) => runner.Encode(words, null, null, i)).ToList();
        var batching = new BatchingOptions { BatchSize = windows.Count, Shuffle = false, LengthBucketing = false };
        return BatchPlanner.CreateBatches(windows, vocabulary.PadId, batching).Single();
    }

    /// <summary>TorchSharp's logits: token [B*T*C] and sequence [B*S], each null when the model lacks the head.</summary>
    public static (float[]? Tokens, float[]? Sequences) TorchLogits(TaskModel model, Batch batch)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        TaskOutputs outputs = model.Forward(TorchSharpBackend.ToInputs(batch, CPU, model.UsesCasing, model.UsesCharacters));
        return (outputs.TokenLogits?.data<float>().ToArray(), outputs.SequenceLogits?.data<float>().ToArray());
    }

    /// <summary>ONNX Runtime's outputs by name, with all graph optimizations on.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> OnnxRun(string path, Batch batch)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(path, options);
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        var inputs = new Dictionary<string, long[]>
        {
            [OnnxTensorNames.InputIds] = batch.InputIds,
            [OnnxTensorNames.AttentionMask] = batch.AttentionMask,
            [OnnxTensorNames.TokenTypeIds] = batch.TokenTypeIds,
        };
        if (session.InputMetadata.ContainsKey(OnnxTensorNames.CasingIds))
        {
            inputs[OnnxTensorNames.CasingIds] = batch.CasingIds!;
        }

        if (session.InputMetadata.ContainsKey(OnnxTensorNames.CharacterIds))
        {
            inputs[OnnxTensorNames.CharacterIds] = batch.CharacterIds!;
        }

        string[] names = inputs.Keys.ToArray();
        OrtValue[] values = names.Select(n => OrtValue.CreateTensorValueFromMemory(inputs[n], n == OnnxTensorNames.CharacterIds ? [.. shape, WordCharacters.Width] : shape)).ToArray();
        try
        {
            string[] outputNames = session.OutputMetadata.Keys.ToArray();
            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions, names, values, outputNames);
            return outputNames.Select((name, i) => (name, outputs[i]))
                .ToDictionary(p => p.name, p => (p.Item2.GetTensorDataAsSpan<float>().ToArray(), p.Item2.GetTensorTypeAndShape().Shape));
        }
        finally
        {
            Array.ForEach(values, v => v.Dispose());
        }
    }

    /// <summary>The largest absolute difference between two equally long arrays.</summary>
    public static float MaxAbsDifference(float[] a, float[] b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Lengths differ: {a.Length} and {b.Length}.");
        }

        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    /// <summary>Parses an ONNX file with the library's own protobuf classes.</summary>
    public static ModelProto Parse(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return ModelProto.Parser.ParseFrom(stream);
    }

    /// <summary>Initializers that no node reads.</summary>
    public static string[] UnusedInitializers(ModelProto model)
    {
        var consumed = model.Graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        return model.Graph.Initializer.Select(i => i.Name).Where(name => !consumed.Contains(name)).ToArray();
    }

    /// <summary>A prediction as one comparable string: tags, entity spans and types, sentence label.</summary>
    public static string Describe(Prediction p) =>
        string.Join(" ", p.Tags) + " | " + string.Join(";", p.Entities.Select(e => $"{e.Type}:{e.Start}-{e.End}")) + " | " + p.Sentence?.Label;
}
