using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NerClassify.Configuration;
using NerClassify.Inference;

namespace NerClassify.Cli.Commands;

/// <summary>
/// <c>nerclassify info DIR</c>: the task, labels, encoder size, casing, windows and training data of a model, read from
/// its <c>config.json</c> alone (no weights, no TorchSharp), or from the metadata of a bare <c>.onnx</c> file.
/// </summary>
internal static class InfoCommand
{
    private const int LabelWidth = 20;

    public static Command Create(CliContextFactory contexts)
    {
        Argument<string> model = ModelOpener.ModelArgument();
        Option<Backend> backend = ModelOpener.BackendOption();
        var command = new Command("info", "Describe a model from its config.json: labels, encoder size, casing, windows, training data.") { model };
        command.Options.Add(backend);
        command.SetAction(parsed =>
        {
            CliContext context = contexts.Create(parsed);
            string path = parsed.GetValue(model)!;
            Backend runtime = ModelOpener.Resolve(path, parsed.GetValue(backend));
            ModelConfig config;
            if (Directory.Exists(path) && (runtime == Backend.TorchSharp || File.Exists(Path.Combine(path, "config.json"))))
            {
                config = ModelConfig.Load(path);
            }
            else
            {
                // A bare .onnx file (or a folder holding only model.onnx) carries its configuration in its metadata, which ONNX Runtime reads.
                using INerPredictor predictor = ModelOpener.Open(path, runtime, new PredictorOptions(), context.LoggerFactory);
                config = predictor.Config;
            }

            TextWriter output = context.Output;
            Line("Model", $"{path} ({(runtime == Backend.Onnx ? "ONNX Runtime" : "TorchSharp")})");
            Line("Task", config.Task.ToString());
            Line("Token labels", Labels(config.TokenLabels));
            Line("Sentence labels", Labels(config.SequenceLabels));
            Line("Encoder", Encoder(path));
            Line("Casing", $"{(config.LowerCase ? "uncased (lower-cased before WordPiece)" : "cased")}{(config.TokenHead.CasingInput ? "; the token head reads word casing" : string.Empty)}{(config.TokenHead.CharacterFeatures ? "; the encoder reads word characters" : string.Empty)}");
            Line("Training window", config.TrainingMaxLength is { } length
                ? string.Create(CultureInfo.InvariantCulture, $"{length} subwords, stride {config.TrainingStride}")
                : "not recorded (the model was saved before NerClassify recorded it, or never trained)");
            Line("Prediction window", string.Create(CultureInfo.InvariantCulture, $"{config.MaxLength} subwords, stride {config.Stride}"));
            Line("Trained on", config.TrainedOn ?? "unknown");
            Line("Library version", config.LibraryVersion ?? "unknown");
            return CliApplication.Success;

            void Line(string label, string value) => output.WriteLine($"{label + ":",-LabelWidth}{value}");
        });
        return command;
    }

    private static string Labels(IReadOnlyList<string>? labels) =>
        labels is null ? "none" : $"{labels.Count}: {string.Join(", ", labels)}";

    /// <summary>The encoder's size from the Hugging Face fields of <c>config.json</c>, when the model is a directory that has one.</summary>
    private static string Encoder(string path)
    {
        string file = Path.Combine(path, "config.json");
        if (!File.Exists(file))
        {
            return "(no config.json; an ONNX file)";
        }

        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
        JsonElement root = document.RootElement;
        string Field(string name) => root.TryGetProperty(name, out JsonElement value) ? value.ToString() : "?";
        return string.Create(CultureInfo.InvariantCulture, $"{Field("model_type")}, {Field("num_hidden_layers")} layers, hidden size {Field("hidden_size")}, {Field("num_attention_heads")} heads, vocabulary {Field("vocab_size")}");
    }
}
