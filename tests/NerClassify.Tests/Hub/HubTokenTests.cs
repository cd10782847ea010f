using FluentAssertions;
using NerClassify.Hub;

namespace NerClassify.Tests.Hub;

/// <summary>The token comes from the sources huggingface_hub reads, in its order, and never shows (issue 20, item 2).</summary>
public sealed class HubTokenTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("nerclassify-hub-home-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void ResolveToken_OnlyOlderVariable_TakesHuggingFaceHubToken()
    {
        (string? token, string? source) = Resolve(new() { ["HUGGING_FACE_HUB_TOKEN"] = "hf_old" });

        token.Should().Be("hf_old");
        source.Should().Be("HUGGING_FACE_HUB_TOKEN");
    }

    [Fact]
    public void ResolveToken_BothVariables_PrefersHfToken()
    {
        (string? token, _) = Resolve(new() { ["HF_TOKEN"] = "hf_new", ["HUGGING_FACE_HUB_TOKEN"] = "hf_old" });

        token.Should().Be("hf_new");
    }

    [Fact]
    public void ResolveToken_NoVariables_ReadsTokenFileInHfHome()
    {
        string hfHome = Path.Combine(_home, "hf");
        Directory.CreateDirectory(hfHome);
        File.WriteAllText(Path.Combine(hfHome, "token"), "hf_from_login\n");

        (string? token, string? source) = Resolve(new() { ["HF_HOME"] = hfHome });

        token.Should().Be("hf_from_login");
        source.Should().Contain(Path.Combine(hfHome, "token")).And.NotContain("hf_from_login");
    }

    [Fact]
    public void ResolveToken_NoHfHome_ReadsTokenFileUnderHomeCache()
    {
        string folder = Path.Combine(_home, ".cache", "huggingface");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "token"), "hf_default_place");

        (string? token, _) = Resolve(new() { ["HOME"] = _home, ["USERPROFILE"] = _home });

        token.Should().Be("hf_default_place");
    }

    [Fact]
    public void ResolveToken_HfTokenPathSet_ReadsThatFileNotHfHome()
    {
        File.WriteAllText(Path.Combine(_home, "token"), "hf_in_home");
        string custom = Path.Combine(_home, "elsewhere.txt");
        File.WriteAllText(custom, "  hf_custom_path \r\n");

        (string? token, _) = Resolve(new() { ["HF_HOME"] = _home, ["HF_TOKEN_PATH"] = custom });

        token.Should().Be("hf_custom_path");
    }

    [Fact]
    public void ResolveToken_VariableAndTokenFile_PrefersVariable()
    {
        File.WriteAllText(Path.Combine(_home, "token"), "hf_file");

        (string? token, _) = Resolve(new() { ["HF_HOME"] = _home, ["HUGGING_FACE_HUB_TOKEN"] = "hf_variable" });

        token.Should().Be("hf_variable");
    }

    [Fact]
    public void ResolveToken_OptionSet_WinsOverVariablesAndFile()
    {
        File.WriteAllText(Path.Combine(_home, "token"), "hf_file");

        (string? token, string? source) = HubSettings.ResolveToken(new HubOptions { Token = "hf_option" }, new Dictionary<string, string?> { ["HF_HOME"] = _home, ["HF_TOKEN"] = "hf_variable" }.GetValueOrDefault);

        token.Should().Be("hf_option");
        source.Should().Be("HubOptions.Token");
    }

    [Fact]
    public void ResolveToken_ImplicitTokenDisabled_IgnoresVariablesAndFile()
    {
        File.WriteAllText(Path.Combine(_home, "token"), "hf_file");

        (string? token, _) = Resolve(new() { ["HF_HOME"] = _home, ["HF_TOKEN"] = "hf_variable", ["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1" });

        token.Should().BeNull();
    }

    [Fact]
    public void ResolveToken_NothingAnywhere_IsNull()
    {
        (string? token, string? source) = Resolve(new() { ["HF_HOME"] = _home });

        token.Should().BeNull();
        source.Should().BeNull();
    }

    [Fact]
    public async Task DownloadModelAsync_TokenFromLoginFile_SentAsBearer()
    {
        await using var context = new HubTestContext();
        context.Server.RequiredToken = "hf_logged_in";
        File.WriteAllText(Path.Combine(_home, "token"), "hf_logged_in\n");
        context.Environment["HF_HOME"] = _home;

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        File.ReadAllBytes(Path.Combine(directory, HubClient.SafetensorsFile)).Should().Equal(context.Weights);
        context.Server.Requests.Where(r => r.Path.Contains("/resolve/", StringComparison.Ordinal)).Should().OnlyContain(r => r.Authorization == "Bearer hf_logged_in");
    }

    [Fact]
    public async Task DownloadModelAsync_TokenFromOlderVariable_SentAsBearer()
    {
        await using var context = new HubTestContext();
        context.Server.RequiredToken = "hf_older";
        context.Environment["HUGGING_FACE_HUB_TOKEN"] = "hf_older";
        context.Environment["HF_HOME"] = _home;

        await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        context.Server.Requests.Where(r => r.Path.Contains("/resolve/", StringComparison.Ordinal)).Should().OnlyContain(r => r.Authorization == "Bearer hf_older");
    }

    [Fact]
    public async Task DownloadAsync_EveryOutcome_NeverShowsTheTokenInLogsOrExceptions()
    {
        const string token = "hf_SeCrEt0123456789abcdef";
        await using var context = new HubTestContext();
        File.WriteAllText(Path.Combine(_home, "token"), token);
        context.Environment["HF_HOME"] = _home;
        var logger = new CapturingLogger<HubClient>();
        using HubClient client = context.NewClient(logger);
        var errors = new List<Exception>();

        // A refused token (401), an unknown model, a missing file, then a success, then an unreachable hub.
        context.Server.RequiredToken = "hf_another";
        errors.Add(await Catch(() => client.DownloadModelAsync(HubTestContext.ModelId, context.Options)));
        context.Server.RequiredToken = token;
        errors.Add(await Catch(() => client.DownloadModelAsync("acme/missing", context.Options)));
        errors.Add(await Catch(() => client.DownloadFileAsync(HubTestContext.ModelId, "missing.json", context.Options)));
        context.Server.DropsRemaining = 1;
        await client.DownloadModelAsync(HubTestContext.ModelId, context.Options);
        await context.Server.DisposeAsync();
        errors.Add(await Catch(() => client.DownloadModelAsync("acme/other", context.Options)));

        errors.Select(e => ((HubException)e).Kind).Should().Equal(HubErrorKind.Unauthorized, HubErrorKind.ModelNotFound, HubErrorKind.FileNotFound, HubErrorKind.Network);
        errors[0].Message.Should().Contain("the token file");
        errors.Should().OnlyContain(e => !e.ToString().Contains(token, StringComparison.Ordinal) && !e.Message.Contains(token, StringComparison.Ordinal));
        logger.Entries.Should().NotBeEmpty();
        logger.Entries.Should().OnlyContain(e => !e.AllText.Contains(token, StringComparison.Ordinal));
        HubSettings.Resolve(context.Options, context.Environment.GetValueOrDefault).ToString().Should().NotContain(token);
    }

    private static async Task<Exception> Catch(Func<Task> act)
    {
        try
        {
            await act();
        }
        catch (Exception e)
        {
            return e;
        }

        throw new InvalidOperationException("The call was expected to fail.");
    }

    private (string? Token, string? Source) Resolve(Dictionary<string, string?> environment)
    {
        // Never the real home: a token file there must not leak into the test.
        environment.TryAdd("HOME", _home);
        environment.TryAdd("USERPROFILE", _home);
        return HubSettings.ResolveToken(new HubOptions(), environment.GetValueOrDefault);
    }
}
