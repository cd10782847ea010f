using System.Text.Json;
using NerClassify.Inference;

namespace NerClassify.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class PredictCommandTests(TinyWorkspace workspace)
{
    [Fact]
    public async Task Predict_Jsonl_WritesOneObjectPerTextWithCharacterSpans()
    {
        string[] texts = ["john smith visited paris .", "google shares won in new york ."];

        CliRun run = await CliRun.RunAsync(["predict", workspace.MultitaskModel, .. texts, "--format", "jsonl"]);

        run.ExitCode.Should().Be(0, run.ToString());
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2);
        using NerClassifier model = NerClassifier.Load(workspace.MultitaskModel);
        for (int i = 0; i < texts.Length; i++)
        {
            using JsonDocument json = JsonDocument.Parse(lines[i]);
            JsonElement root = json.RootElement;
            root.GetProperty("text").GetString().Should().Be(texts[i]);
            root.GetProperty("label").GetString().Should().Be(model.Predict(texts[i]).Sentence!.Label);
            JsonElement[] entities = [.. root.GetProperty("entities").EnumerateArray()];
            entities.Should().HaveCount(model.Predict(texts[i]).Entities.Count);
            foreach (JsonElement entity in entities)
            {
                int start = entity.GetProperty("start").GetInt32();
                int end = entity.GetProperty("end").GetInt32();
                entity.GetProperty("text").GetString().Should().Be(texts[i][start..end]);
                entity.GetProperty("type").GetString().Should().NotBeNullOrEmpty();
                entity.GetProperty("score").GetSingle().Should().BeInRange(0, 1);
            }
        }
    }

    [Fact]
    public async Task Predict_ConllInputToConllOutput_TagsEveryWord()
    {
        CliRun run = await CliRun.RunAsync("predict", workspace.NerModel, "--input", workspace.ValidationFile, "--format", "conll");

        run.ExitCode.Should().Be(0, run.ToString());
        string[] rows = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        rows.Should().HaveCount(File.ReadAllLines(workspace.ValidationFile).Count(l => l.Length > 0));
        rows.Should().OnlyContain(r => r.Split('\t').Length == 2);
        rows[0].Should().StartWith("john\t");
    }

    [Fact]
    public async Task Predict_TextFileToTable_ListsEachText()
    {
        string input = workspace.Write("texts.txt", "mary visited london today .\n\njohn met mary in berlin .\n");

        CliRun run = await CliRun.RunAsync("predict", workspace.NerModel, "--input", input);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().Contain("mary visited london today .").And.Contain("john met mary in berlin .");
    }

    [Fact]
    public async Task Predict_OnnxExport_GivesTheSameEntitiesAsTorchSharp()
    {
        string onnx = workspace.NewPath("onnx");
        (await CliRun.RunAsync("export", workspace.NerModel, "--onnx", onnx)).ExitCode.Should().Be(0);
        string[] texts = ["john smith visited paris .", "mary met john in germany ."];

        CliRun torch = await CliRun.RunAsync(["predict", workspace.NerModel, .. texts, "--format", "conll"]);
        CliRun fromDirectory = await CliRun.RunAsync(["predict", onnx, .. texts, "--format", "conll"]);
        CliRun fromFile = await CliRun.RunAsync(["predict", Path.Combine(onnx, "model.onnx"), .. texts, "--format", "conll", "--backend", "onnx"]);

        fromDirectory.ExitCode.Should().Be(0, fromDirectory.ToString());
        fromDirectory.Output.Should().Be(torch.Output);
        fromFile.Output.Should().Be(torch.Output);
    }

    [Fact]
    public async Task Evaluate_OnnxFile_PrintsTheSameReportAsTorchSharp()
    {
        string onnx = workspace.NewPath("onnx-eval");
        (await CliRun.RunAsync("export", workspace.NerModel, "--onnx", onnx)).ExitCode.Should().Be(0);

        CliRun torch = await CliRun.RunAsync("evaluate", workspace.NerModel, workspace.ValidationFile, "--plot", workspace.NewPath("t") + ".png");
        CliRun onnxRun = await CliRun.RunAsync("evaluate", Path.Combine(onnx, "model.onnx"), workspace.ValidationFile, "--plot", workspace.NewPath("o") + ".png");

        onnxRun.ExitCode.Should().Be(0, onnxRun.ToString());
        onnxRun.Output.Should().Be(torch.Output);
    }

    [Fact]
    public async Task Predict_UnknownFormat_ExitsWithUsageErrorListingTheFormats()
    {
        CliRun run = await CliRun.RunAsync("predict", workspace.NerModel, "john", "--format", "xml");

        run.ExitCode.Should().Be(1, run.ToString());
        run.Error.Should().Contain("xml").And.Contain("jsonl");
    }

    [Fact]
    public async Task Predict_DocumentContextOnConll_WritesTheLibrarysPredictionsRevisedPerDocument()
    {
        string[][] sentences = [["john", "won", "in", "berlin", "."], ["the", "team", "won", "."], ["shares", "of", "google", "fell", "."], ["mary", "met", "john", "."]];
        string input = workspace.Write($"documents-{Guid.NewGuid():N}.conll", TwoDocuments(sentences));

        CliRun run = await CliRun.RunAsync("predict", workspace.MultitaskModel, "--input", input, "--format", "jsonl", "--document-context");

        run.ExitCode.Should().Be(0, run.ToString());
        using NerClassifier model = NerClassifier.Load(workspace.MultitaskModel);
        IReadOnlyList<Prediction> alone = model.PredictBatch(sentences);
        IReadOnlyList<Prediction> expected = DocumentContext.ApplyByDocument(alone, [0, 0, 1, 1]);
        float[] scores = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using JsonDocument json = JsonDocument.Parse(line);
            return json.RootElement.GetProperty("label_score").GetSingle();
        }).ToArray();
        scores.Should().Equal(expected.Select(p => p.Sentence!.Probability), (a, b) => Math.Abs(a - b) < 1e-6f);
        scores.Should().NotEqual(alone.Select(p => p.Sentence!.Probability), "the revision must have been applied");
    }

    [Fact]
    public async Task Evaluate_DocumentContext_ScoresThePredictionsRevisedPerDocument()
    {
        string[][] sentences = [["john", "won", "in", "berlin", "."], ["the", "team", "won", "."], ["shares", "of", "google", "fell", "."], ["mary", "met", "john", "."]];
        string data = workspace.Write($"documents-{Guid.NewGuid():N}.conll", TwoDocuments(sentences));
        string labels = workspace.Write(
            $"documents-{Guid.NewGuid():N}.tsv",
            Data.SentenceLabelFile.Header + "\n" + string.Concat(sentences.Select((s, i) => $"{i}\t{(i < 2 ? "sport" : "business")}\t{string.Join(' ', s)}\n")));

        CliRun run = await CliRun.RunAsync("evaluate", workspace.MultitaskModel, data, "--labels", labels, "--json", "--document-context", "--plot", workspace.NewPath("cm") + ".png");

        run.ExitCode.Should().Be(0, run.ToString());
        using NerClassifier model = NerClassifier.Load(workspace.MultitaskModel);
        IReadOnlyList<Prediction> revised = DocumentContext.ApplyByDocument(model.PredictBatch(sentences), [0, 0, 1, 1]);
        Metrics.ClassificationReport expected = Metrics.ClassificationMetrics.Compute(
            ["sport", "sport", "business", "business"], revised.Select(p => p.Sentence!.Label).ToArray(), model.Config.SequenceLabels);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("sentences").GetProperty("Accuracy").GetDouble().Should().Be(expected.Accuracy);
        json.RootElement.GetProperty("sentences").GetProperty("Count").GetInt32().Should().Be(4);
    }

    /// <summary>Sentences 0-1 and 2-3 as two CoNLL documents, every word tagged O.</summary>
    private static string TwoDocuments(string[][] sentences) =>
        string.Concat(sentences.Select((words, i) =>
            (i % 2 == 0 ? "-DOCSTART- -X- -X- O\n\n" : string.Empty) + string.Concat(words.Select(w => $"{w} O\n")) + "\n"));
}
