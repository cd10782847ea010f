using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NerClassify.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed partial class ServeCommandTests(TinyWorkspace workspace)
{
    private const string Text = "john smith visited paris .";

    [Fact]
    public async Task Serve_ModelDirectory_PrintsTheUrlAndServesThePageAndThePredictions()
    {
        (int exitCode, string output) = await ServeAndCheckAsync("serve", workspace.MultitaskModel, "--port", "0");

        exitCode.Should().Be(CliApplication.Success);
        output.Should().Contain("(TorchSharp)");
    }

    [Fact]
    public async Task Serve_OnnxExport_ServesItWithOnnxRuntime()
    {
        string export = workspace.NewPath("serve-onnx");
        CliRun exported = await CliRun.RunAsync("export", workspace.MultitaskModel, "--onnx", export);
        exported.ExitCode.Should().Be(CliApplication.Success, exported.ToString());

        (int exitCode, string output) = await ServeAndCheckAsync("serve", export, "--onnx", "--port", "0");

        exitCode.Should().Be(CliApplication.Success);
        output.Should().Contain("(ONNX Runtime)");
    }

    [Fact]
    public async Task Serve_MissingModel_ExitsWithDataErrorNamingIt()
    {
        string missing = workspace.NewPath("no-model");

        CliRun run = await CliRun.RunAsync("serve", missing, "--port", "0");

        run.ExitCode.Should().Be(CliApplication.DataError, run.ToString());
        run.Error.Should().Contain(missing);
    }

    [Fact]
    public async Task Serve_OnnxFlagOnADirectoryWithoutModelOnnx_ExitsWithDataErrorNamingTheFile()
    {
        CliRun run = await CliRun.RunAsync("serve", workspace.NerModel, "--onnx", "--port", "0");

        run.ExitCode.Should().Be(CliApplication.DataError, run.ToString());
        run.Error.Should().Contain("model.onnx").And.Contain("nerclassify export");
    }

    [Fact]
    public async Task Serve_PortOutOfRange_IsAUsageError()
    {
        CliRun run = await CliRun.RunAsync("serve", workspace.NerModel, "--port", "70000");

        run.ExitCode.Should().Be(CliApplication.UsageError, run.ToString());
        run.Error.Should().Contain("--port");
    }

    /// <summary>Runs the command until the page and a prediction have been fetched from the URL it printed, then stops it as Ctrl+C would.</summary>
    private static async Task<(int ExitCode, string Output)> ServeAndCheckAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        TextWriter outputs = TextWriter.Synchronized(output);
        TextWriter errors = TextWriter.Synchronized(error);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Task<int> serving = Task.Run(() => CliApplication.RunAsync(args, outputs, errors, cancellationToken: stop.Token));
        try
        {
            string url = await WaitForUrlAsync(outputs, output, serving);
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
            await WaitReadyAsync(client);

            using HttpResponseMessage page = await client.GetAsync("/");
            string html = await page.Content.ReadAsStringAsync();
            JsonNode model = JsonNode.Parse(await client.GetStringAsync("/v1/model"))!;
            using HttpResponseMessage predicted = await client.PostAsJsonAsync("/v1/predict", new { text = Text });
            JsonNode prediction = JsonNode.Parse(await predicted.Content.ReadAsStringAsync())!["predictions"]![0]!;

            page.StatusCode.Should().Be(HttpStatusCode.OK);
            page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
            html.Should().Contain("<title>NerClassify</title>");
            model["entityTypes"]!.AsArray().Select(t => (string?)t).Should().Equal("LOC", "ORG", "PER");
            predicted.StatusCode.Should().Be(HttpStatusCode.OK);
            ((string?)prediction["text"]).Should().Be(Text);
            prediction["sentence"]!["scores"]!.AsArray().Should().HaveCount(3, "the multitask model has three topics");
        }
        finally
        {
            await stop.CancelAsync();
        }

        int exitCode = await serving;
        lock (outputs)
        {
            return (exitCode, output.ToString() + error.ToString());
        }
    }

    private static async Task<string> WaitForUrlAsync(TextWriter outputs, StringWriter output, Task<int> serving)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            string text;
            lock (outputs)
            {
                text = output.ToString();
            }

            if (Url().Match(text) is { Success: true } match)
            {
                return match.Value;
            }

            if (serving.IsCompleted)
            {
                throw new InvalidOperationException($"serve exited {await serving} before printing its URL: {text}");
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("serve printed no URL in 60 s.");
    }

    private static async Task WaitReadyAsync(HttpClient client)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            using HttpResponseMessage response = await client.GetAsync("/readyz");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The served model was not ready in 60 s.");
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/")]
    private static partial Regex Url();
}
