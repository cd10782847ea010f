using System.Text.Json;

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
}
