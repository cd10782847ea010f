using System.Text.Json;

namespace NerClassify.Cli.Tests;

/// <summary>Mistyped options, empty input and a terminal on standard input: usage and data errors, never a silent exit 0.</summary>
[Collection(CliCollection.Name)]
public sealed class InputAndOptionTests(TinyWorkspace workspace)
{
    [Fact]
    public async Task Predict_MistypedOptionBeforeTexts_ExitsWithUsageErrorNamingItAndTheLikelyOption()
    {
        CliRun run = await CliRun.RunAsync("predict", workspace.NerModel, "--fromat", "jsonl", "john smith visited paris .");

        run.ExitCode.Should().Be(1, run.ToString());
        run.Error.Should().Contain("unknown option '--fromat'").And.Contain("did you mean '--format'");
        run.Output.Should().Contain("Usage:").And.NotContain("john smith visited paris .\n  ", "nothing is predicted");
    }

    [Theory]
    [InlineData("predict MODEL --bogus john")]
    [InlineData("predict --bogus MODEL")]
    [InlineData("evaluate --bogus MODEL")]
    [InlineData("info --bogus")]
    [InlineData("info -x MODEL")]
    [InlineData("export --bogus --onnx OUT")]
    [InlineData("train --task ner --train DATA --output OUT --bogus")]
    [InlineData("label --input DATA --output OUT --bogus")]
    public async Task UnknownOption_OnEveryCommand_ExitsWithUsageError(string commandLine)
    {
        string[] args = commandLine.Split(' ');
        string[] resolved = args.Select(a => a switch
        {
            "MODEL" => workspace.NerModel,
            "DATA" => workspace.TrainFile,
            "OUT" => workspace.NewPath("unused"),
            _ => a,
        }).ToArray();

        CliRun run = await CliRun.RunAsync(resolved);

        run.ExitCode.Should().Be(1, run.ToString());
        run.Error.Should().Contain(args.Contains("-x") ? "'-x'" : "'--bogus'");
    }

    [Fact]
    public async Task Predict_TextStartingWithADashAfterDoubleDash_IsPredicted()
    {
        CliRun run = await CliRun.RunAsync("predict", workspace.NerModel, "--format", "jsonl", "--", "-john");

        run.ExitCode.Should().Be(0, run.ToString());
        using JsonDocument json = JsonDocument.Parse(run.Output.Trim());
        json.RootElement.GetProperty("text").GetString().Should().Be("-john");
    }

    [Fact]
    public async Task Predict_EmptyStandardInput_ExitsWithDataErrorNoTextGiven()
    {
        CliRun run = await CliRun.RunWithInputAsync(new StandardInput(new StringReader("\n   \n"), IsTerminal: false), "predict", workspace.NerModel);

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("no text given").And.Contain("standard input");
        run.Output.Should().BeEmpty();
    }

    [Fact]
    public async Task Predict_EmptyInputFile_ExitsWithDataErrorNamingTheFile()
    {
        string empty = workspace.Write($"empty-{Guid.NewGuid():N}.txt", string.Empty);

        CliRun run = await CliRun.RunAsync("predict", workspace.NerModel, "--input", empty);

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("no text given").And.Contain(Path.GetFileName(empty));
    }

    [Fact]
    public async Task Predict_EmptyTextArgument_ExitsWithDataError()
    {
        CliRun run = await CliRun.RunAsync("predict", workspace.NerModel, "john visited paris .", "");

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("no text given").And.Contain("TEXT argument 2");
        run.Output.Should().BeEmpty();
    }

    [Fact]
    public async Task Predict_NoTextAndATerminalOnStandardInput_PrintsUsageWithoutReadingIt()
    {
        var terminal = new StringReader("john smith visited paris .\n");

        CliRun run = await CliRun.RunWithInputAsync(new StandardInput(terminal, IsTerminal: true), "predict", workspace.NerModel);

        run.ExitCode.Should().Be(1, run.ToString());
        run.Error.Should().Contain("no text given");
        run.Output.Should().Contain("Usage:").And.Contain("--input");
        terminal.ReadLine().Should().Be("john smith visited paris .", "a terminal is not waited on");
    }

    [Fact]
    public async Task Predict_TextsOnStandardInput_PredictsEachLine()
    {
        var input = new StandardInput(new StringReader("john smith visited paris .\n\nmary met john in germany .\n"), IsTerminal: false);

        CliRun run = await CliRun.RunWithInputAsync(input, "predict", workspace.NerModel, "--format", "jsonl");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2);
    }

    [Fact]
    public async Task Predict_Jsonl_WritesQuotesAndNonAsciiAsUnescapedUtf8()
    {
        const string text = "john said \"hi\" in zürich .";

        CliRun run = await CliRun.RunAsync("predict", workspace.MultitaskModel, "--format", "jsonl", text);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().Contain("\"text\":\"john said \\\"hi\\\" in zürich .\"").And.NotContain("\\u");
        using JsonDocument json = JsonDocument.Parse(run.Output.Trim());
        json.RootElement.GetProperty("text").GetString().Should().Be(text);
    }
}
