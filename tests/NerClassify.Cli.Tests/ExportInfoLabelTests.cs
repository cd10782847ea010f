using NerClassify.Configuration;
using NerClassify.Labelling;
using NerClassify.Tests.Labelling;

namespace NerClassify.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class ExportInfoLabelTests(TinyWorkspace workspace)
{
    private static readonly string[] Variables = ["NERCLASSIFY_LLM_ENDPOINT", "NERCLASSIFY_LLM_KEY", "NERCLASSIFY_LLM_MODEL"];

    [Fact]
    public async Task Export_WritesModelOnnxAndTheFilesThatMakeADirectory()
    {
        string onnx = workspace.NewPath("export");

        CliRun run = await CliRun.RunAsync("export", workspace.MultitaskModel, "--onnx", onnx);

        run.ExitCode.Should().Be(0, run.ToString());
        File.Exists(Path.Combine(onnx, "model.onnx")).Should().BeTrue();
        File.Exists(Path.Combine(onnx, "config.json")).Should().BeTrue();
        File.Exists(Path.Combine(onnx, "vocab.txt")).Should().BeTrue();
        CliRun info = await CliRun.RunAsync("info", onnx);
        info.ExitCode.Should().Be(0, info.ToString());
        info.Output.Should().Contain("ONNX Runtime").And.Contain("Multitask");
    }

    [Fact]
    public async Task Info_SavedModel_PrintsLabelsEncoderCasingAndTrainingData()
    {
        CliRun run = await CliRun.RunAsync("info", workspace.MultitaskModel);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().Contain("Multitask")
            .And.Contain("B-PER")
            .And.Contain("business, sport, world")
            .And.Contain("2 layers, hidden size 32")
            .And.Contain("uncased")
            .And.Contain("train.conll");
    }

    [Fact]
    public async Task Info_DirectoryWithoutWeights_PrintsFromConfigJsonAlone()
    {
        string described = Directory.CreateDirectory(workspace.NewPath("config-only")).FullName;
        foreach (string file in Directory.EnumerateFiles(workspace.MultitaskModel).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(described, Path.GetFileName(file)));
        }

        CliRun run = await CliRun.RunAsync("info", described);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().Contain("Multitask").And.Contain("business, sport, world").And.Contain("TorchSharp");
    }

    [Fact]
    public async Task Info_TrainedModel_ShowsTheTrainingWindowBesideThePredictionWindow()
    {
        string output = workspace.NewPath("window");
        CliRun train = await CliRun.RunAsync([.. workspace.TrainArguments("--task", "ner", "--train", workspace.TrainFile, "--output", output), "--max-length", "48", "--stride", "12"]);
        train.ExitCode.Should().Be(0, train.ToString());

        CliRun run = await CliRun.RunAsync("info", output);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().MatchRegex(@"Training window:\s+48 subwords, stride 12").And.MatchRegex(@"Prediction window:\s+64 subwords, stride 16");
        ModelConfig.Load(output).TrainingMaxLength.Should().Be(48);
    }

    [Fact]
    public async Task Info_ConfigWithoutTheTrainingWindow_StillReadsAndSaysItIsNotRecorded()
    {
        string old = Directory.CreateDirectory(workspace.NewPath("old-config")).FullName;
        foreach (string file in Directory.EnumerateFiles(workspace.NerModel))
        {
            File.Copy(file, Path.Combine(old, Path.GetFileName(file)));
        }

        string config = Path.Combine(old, "config.json");
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        root["nerclassify"]!.AsObject().Remove("training_max_length").Should().BeTrue("the saved model records its training window");
        root["nerclassify"]!.AsObject().Remove("training_stride");
        File.WriteAllText(config, root.ToJsonString());

        CliRun run = await CliRun.RunAsync("info", old);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().MatchRegex(@"Training window:\s+not recorded");
        using NerClassifier loaded = NerClassifier.Load(old);
        loaded.Config.TrainingMaxLength.Should().BeNull();
    }

    [Fact]
    public async Task Info_MissingModel_ExitsWithDataError()
    {
        CliRun run = await CliRun.RunAsync("info", Path.Combine(workspace.Root, "nowhere"));

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("nowhere");
    }

    [Fact]
    public async Task Label_FakeEndpoint_WritesASentenceLabelFileAndResumesFromTheCache()
    {
        await using var server = new FakeOpenAiServer("2");
        string output = workspace.NewPath("labels") + ".tsv";
        string?[] saved = [.. Variables.Select(Environment.GetEnvironmentVariable)];
        try
        {
            Environment.SetEnvironmentVariable("NERCLASSIFY_LLM_ENDPOINT", server.Endpoint.ToString());
            Environment.SetEnvironmentVariable("NERCLASSIFY_LLM_KEY", "test-key");
            Environment.SetEnvironmentVariable("NERCLASSIFY_LLM_MODEL", "test-model");

            CliRun first = await CliRun.RunAsync("label", "--input", workspace.TrainFile, "--output", output, "--limit", "3");
            CliRun second = await CliRun.RunAsync("label", "--input", workspace.TrainFile, "--output", output, "--limit", "3");

            first.ExitCode.Should().Be(0, first.ToString());
            second.ExitCode.Should().Be(0, second.ToString());
            server.RequestBodies.Should().HaveCount(3, "the second run answers from the cache");
            string[] lines = File.ReadAllLines(output);
            lines[0].Should().Be(SentenceLabelWriter.Header);
            lines.Skip(1).Should().HaveCount(3).And.OnlyContain(l => l.Split('\t')[1] == SentenceLabellerOptions.DefaultCategories[2]);
        }
        finally
        {
            for (int i = 0; i < Variables.Length; i++)
            {
                Environment.SetEnvironmentVariable(Variables[i], saved[i]);
            }
        }
    }

    [Fact]
    public async Task Label_MissingInput_ExitsWithDataError()
    {
        CliRun run = await CliRun.RunAsync("label", "--input", Path.Combine(workspace.Root, "absent.conll"), "--output", workspace.NewPath("labels"));

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("absent.conll");
    }

    [Fact]
    public async Task Label_WithoutOutput_ExitsWithUsageError()
    {
        CliRun run = await CliRun.RunAsync("label", "--input", workspace.TrainFile);

        run.ExitCode.Should().Be(1, run.ToString());
        run.Error.Should().Contain("--output");
    }
}
