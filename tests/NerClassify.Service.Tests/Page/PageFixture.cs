using NerClassify.Samples.Service;
using PuppeteerSharp;

namespace NerClassify.Service.Tests.Page;

/// <summary>
/// The service on loopback with <see cref="GazetteerPredictor"/> behind it (texts of at most 500 characters), and one
/// headless Chromium (Debian's, never downloaded) with a fresh profile, when it is installed.
/// </summary>
public sealed class PageFixture : IAsyncLifetime
{
    public const int MaxTextChars = 500;

    private readonly string _profile = Directory.CreateTempSubdirectory("nerclassify-chromium-").FullName;

    public WebApplication App { get; private set; } = null!;

    public Uri Url { get; private set; } = null!;

    /// <summary>The browser; null when Chromium is not installed (the tests are skipped then).</summary>
    public IBrowser? Browser { get; private set; }

    /// <summary>Screenshots go here, under the test output folder.</summary>
    public string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        HttpClient client;
        (App, client) = await ServiceFixture.StartAsync("(the gazetteer predictor needs no model directory)", [$"--Serving:MaxTextChars={MaxTextChars}"], builder =>
            builder.Services.AddSingleton<ModelLoader>(_ => _ => new GazetteerPredictor()));
        using (client)
        {
            await ServiceFixture.WaitReadyAsync(client);
            Url = client.BaseAddress!;
        }

        if (File.Exists(ChromiumFactAttribute.ChromiumPath))
        {
            Browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = ChromiumFactAttribute.ChromiumPath,
                Headless = true,
                UserDataDir = _profile,
                Args =
                [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                ],
                Timeout = 60_000,
            });
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
            Browser.Dispose();
        }

        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be writing its profile as it exits; the temp folder is left behind then.
        }
    }

    /// <summary>A new tab on the page, collecting console errors and uncaught exceptions into <paramref name="errors"/>.</summary>
    public async Task<IPage> OpenAsync(List<string> errors, string colorScheme = "light")
    {
        IPage page = await Browser!.NewPageAsync();
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error)
            {
                lock (errors)
                {
                    errors.Add(e.Message.Text);
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (errors)
            {
                errors.Add(e.Message);
            }
        };
        await page.SetViewportAsync(new ViewPortOptions { Width = 960, Height = 720 });
        await page.EmulateMediaFeaturesAsync([new MediaFeatureValue { MediaFeature = MediaFeature.PrefersColorScheme, Value = colorScheme }]);
        await page.GoToAsync(Url.ToString(), WaitUntilNavigation.Networkidle0);
        // The legend is drawn once GET /v1/model has answered.
        await page.WaitForSelectorAsync("#legend .legend-item");
        return page;
    }
}
