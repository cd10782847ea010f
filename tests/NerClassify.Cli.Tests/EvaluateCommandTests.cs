using System.Text.Json;
using NerClassify.Inference;

namespace NerClassify.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class EvaluateCommandTests(TinyWorkspace workspace)
{
    [Fact]
    public async Task Evaluate_NerModel_PrintsTheLibrarysEntityScores()
    {
        string plot = workspace.NewPath("confusion") + ".png";

        CliRun run = await CliRun.RunAsync("evaluate", workspace.NerModel, workspace.ValidationFile, "--plot", plot);

        run.ExitCode.Should().Be(0, run.ToString());
        using NerClassifier model = NerClassifier.Load(workspace.NerModel);
        EvaluationResult expected = await model.EvaluateAsync(workspace.ValidationFile);
        run.Output.Should().Contain(expected.Entities!.ToText(4)).And.Contain($"entity F1 {expected.Entities.F1.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}");
        File.ReadAllBytes(plot).Take(4).Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G');
    }

    [Fact]
    public async Task Evaluate_MultitaskWithLabelsAsJson_HasEntitiesStrictAndSentences()
    {
        CliRun run = await CliRun.RunAsync("evaluate", workspace.MultitaskModel, workspace.ValidationFile, "--labels", workspace.ValidationLabelsFile, "--json", "--strict", "--plot", workspace.NewPath("cm") + ".png");

        run.ExitCode.Should().Be(0, run.ToString());
        using JsonDocument json = JsonDocument.Parse(run.Output);
        json.RootElement.GetProperty("entities").GetProperty("Mode").GetString().Should().Be("Lenient");
        json.RootElement.GetProperty("entities_strict").GetProperty("Mode").GetString().Should().Be("Strict");
        json.RootElement.GetProperty("sentences").GetProperty("Count").GetInt32().Should().Be(4);
    }

    [Fact]
    public async Task Evaluate_MissingFile_ExitsWithDataError()
    {
        CliRun run = await CliRun.RunAsync("evaluate", workspace.NerModel, Path.Combine(workspace.Root, "missing.conll"));

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("missing.conll");
    }

    [Fact]
    public async Task Evaluate_MissingModel_ExitsWithDataError()
    {
        CliRun run = await CliRun.RunAsync("evaluate", Path.Combine(workspace.Root, "no-model"), workspace.ValidationFile);

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("no-model");
    }

    [Fact]
    public async Task Evaluate_MalformedConllLine_ExitsWithDataErrorNamingFileAndLine()
    {
        string bad = workspace.Write("malformed.conll", "john B-PER\nvisited O\nparis B-LOC X-Y-Z extra\n\nmary B-PER\nsmith BOGUS\n");

        CliRun run = await CliRun.RunAsync("evaluate", workspace.NerModel, bad);

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().MatchRegex(@"malformed\.conll:\d+");
        run.Error.Should().NotContain("   at ", "no stack trace without --verbosity debug");
    }

    [Fact]
    public async Task Evaluate_MalformedLineWithDebugVerbosity_PrintsTheStackTrace()
    {
        string bad = workspace.Write("malformed-debug.conll", "mary B-PER\nsmith BOGUS\n");

        CliRun run = await CliRun.RunAsync("evaluate", workspace.NerModel, bad, "--verbosity", "debug");

        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain("   at ");
    }

    [Fact]
    public async Task Evaluate_UnknownOption_ExitsWithUsageErrorAndHelp()
    {
        CliRun run = await CliRun.RunAsync("evaluate", workspace.NerModel, workspace.ValidationFile, "--bogus");

        run.ExitCode.Should().Be(1, run.ToString());
        run.Error.Should().Contain("--bogus");
        run.Output.Should().Contain("Usage:").And.Contain("--strict");
    }
}
