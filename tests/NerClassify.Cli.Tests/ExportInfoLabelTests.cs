namespace NerClassify.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class ExportInfoLabelTests(TinyWorkspace workspace)
{
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
    public async Task Info_MissingModel_ExitsWithDataError()
    {
        CliRun run = await CliRun.RunAsync("info", Path.Combine(workspace.Root, "nowhere"));

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("nowhere");
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
