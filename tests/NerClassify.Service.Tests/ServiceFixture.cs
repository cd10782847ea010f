using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Samples.Service;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Service.Tests;

/// <summary>A tiny random multitask model saved to a temp folder, and helpers to run the service on loopback with real Kestrel.</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    public string ModelDirectory { get; } = Directory.CreateTempSubdirectory("nerclassify-service-").FullName;

    public WebApplication App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The same model loaded directly, without micro-batching: the reference answers.</summary>
    public NerClassifier Direct { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using (var model = new MultitaskModel(TinyBert.Encoder(seed: 7), TinyData.TokenLabels, TinyData.Topics))
        {
            NerClassify.Models.ModelDirectory.Save(model, TinyBert.Vocabulary(), ModelDirectory);
        }

        Direct = NerClassifier.Load(ModelDirectory);
        // Micro-batching on (it is off by default), so the endpoint tests also cover coalescing and its batch-size metric.
        (App, Client) = await StartAsync(ModelDirectory, ["--Serving:MaxTexts=8", "--Serving:MaxTextChars=500", "--Serving:MaxRequestBytes=20000", "--Serving:MicroBatching:Enabled=true"]);
        await WaitReadyAsync(Client);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Direct.Dispose();
        Directory.Delete(ModelDirectory, recursive: true);
    }

    /// <summary>Starts the service on a free loopback port.</summary>
    public static async Task<(WebApplication App, HttpClient Client)> StartAsync(string modelDirectory, string[] extraArgs, Action<WebApplicationBuilder>? configure = null)
    {
        string[] args = ["--urls", "http://127.0.0.1:0", $"--Model:Directory={modelDirectory}", "--Logging:LogLevel:Default=Warning", .. extraArgs];
        WebApplication app = ServiceApp.Build(args, configure);
        await app.StartAsync();
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        return (app, client);
    }

    public static async Task WaitReadyAsync(HttpClient client)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            using HttpResponseMessage response = await client.GetAsync("/readyz");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The service did not become ready in 60 s.");
    }
}
