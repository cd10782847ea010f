using System.CommandLine;

namespace NerClassify.Cli.Commands;

/// <summary><c>nerclassify export DIR --onnx OUTDIR</c>: writes <c>OUTDIR/model.onnx</c> and the files that make OUTDIR a model directory.</summary>
internal static class ExportCommand
{
    // Copied next to model.onnx so OUTDIR reads like the saved directory (docs/model-format.md); the ONNX file alone
    // also carries the configuration and vocabulary in its metadata.
    private static readonly string[] CompanionFiles = ["config.json", "vocab.txt", "vocab.json", "merges.txt", "sentencepiece.bpe.model", "tokenizer_config.json"];

    public static Command Create(CliContextFactory contexts)
    {
        var model = new Argument<string>("DIR") { Description = "A saved model directory (TorchSharp)." };
        var onnx = new Option<string>("--onnx") { Description = "The directory to write model.onnx (opset 17) and the model's config.json and tokenizer files (vocab.txt, or vocab.json + merges.txt, or sentencepiece.bpe.model) into.", Required = true };
        var command = new Command("export", "Export a saved model to ONNX for ONNX Runtime.") { model };
        command.Options.Add(onnx);
        command.SetAction(parsed =>
        {
            CliContext context = contexts.Create(parsed);
            string source = parsed.GetValue(model)!;
            string target = parsed.GetValue(onnx)!;
            if (!Directory.Exists(source))
            {
                throw new DirectoryNotFoundException($"Model directory '{source}' was not found.");
            }

            using NerClassifier classifier = NerClassifier.Load(source, loggerFactory: context.LoggerFactory);
            Directory.CreateDirectory(target);
            string path = Path.Combine(target, ModelOpener.OnnxFile);
            classifier.ExportOnnx(path);
            foreach (string file in CompanionFiles)
            {
                string from = Path.Combine(source, file);
                if (File.Exists(from) && !string.Equals(Path.GetFullPath(source), Path.GetFullPath(target), StringComparison.Ordinal))
                {
                    File.Copy(from, Path.Combine(target, file), overwrite: true);
                }
            }

            context.Output.WriteLine($"Exported {source} to {path}.");
            return CliApplication.Success;
        });
        return command;
    }
}
