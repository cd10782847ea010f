using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NerClassify.Inference;

namespace NerClassify.Cli.Commands;

/// <summary><c>nerclassify info DIR</c>: the task, labels, encoder size, casing, window and training data of a model.</summary>
internal static class InfoCommand
{
    public static Command Create(CliContextFactory contexts)
    {
        Argument<string> model = ModelOpener.ModelArgument();
        Option<Backend> backend = ModelOpener.BackendOption();
        var command = new Command("info", "Describe a model: labels, encoder size, casing, maximum length, training data.") { model };
        command.Options.Add(backend);
        command.SetAction(parsed =>
        {
            CliContext context = contexts.Create(parsed);
            string path = parsed.GetValue(model)!;
            using INerPredictor predictor = ModelOpener.Open(path, parsed.GetValue(backend), new PredictorOptions(), context.LoggerFactory);
            ModelConfig config = predictor.Config;
            TextWriter output = context.Output;
            output.WriteLine($"Model:            {path} ({(predictor is NerClassifier ? "TorchSharp" : "ONNX Runtime")})");
            output.WriteLine($"Task:             {config.Task}");
            output.WriteLine($"Token labels:     {Labels(config.TokenLabels)}");
            output.WriteLine($"Sentence labels:  {Labels(config.SequenceLabels)}");
            output.WriteLine($"Encoder:          {Encoder(path)}");
            output.WriteLine($"Casing:           {(config.LowerCase ? "uncased (lower-cased before WordPiece)" : "cased")}{(config.TokenHead.CasingInput ? "; the token head reads word casing" : string.Empty)}{(config.TokenHead.CharacterFeatures ? "; the encoder reads word characters" : string.Empty)}");
            output.WriteLine($"Max length:       {config.MaxLength} subwords per window, stride {config.Stride}");
            output.WriteLine($"Trained on:       {config.TrainedOn ?? "unknown"}");
            output.WriteLine($"Library version:  {config.LibraryVersion ?? "unknown"}");
            return CliApplication.Success;
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
