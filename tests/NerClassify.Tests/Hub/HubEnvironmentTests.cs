using FluentAssertions;
using NerClassify.Hub;

namespace NerClassify.Tests.Hub;

/// <summary>The variables huggingface_hub reads, with its precedence and expansion (issue 20, item 3). The environment is injected, never the process's.</summary>
public sealed class HubEnvironmentTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "nerclassify-env"));

    [Fact]
    public void Resolve_OnlyOlderCacheVariable_UsesHuggingfaceHubCache()
    {
        HubSettings settings = Resolve(new() { ["HUGGINGFACE_HUB_CACHE"] = Path.Combine(Root, "old") });

        settings.CacheDirectory.Should().Be(Path.Combine(Root, "old"));
    }

    [Fact]
    public void Resolve_OlderCacheVariableAndHfHome_PrefersHuggingfaceHubCache()
    {
        HubSettings settings = Resolve(new() { ["HUGGINGFACE_HUB_CACHE"] = Path.Combine(Root, "old"), ["HF_HOME"] = Path.Combine(Root, "home") });

        settings.CacheDirectory.Should().Be(Path.Combine(Root, "old"));
    }

    [Fact]
    public void Resolve_BothCacheVariables_PrefersHfHubCache()
    {
        HubSettings settings = Resolve(new() { ["HF_HUB_CACHE"] = Path.Combine(Root, "new"), ["HUGGINGFACE_HUB_CACHE"] = Path.Combine(Root, "old") });

        settings.CacheDirectory.Should().Be(Path.Combine(Root, "new"));
    }

    [Theory]
    [InlineData("$NERTEST_ROOT/x")]
    [InlineData("${NERTEST_ROOT}/x")]
    public void Resolve_HfHubCacheWithVariable_ExpandsIt(string value)
    {
        HubSettings settings = Resolve(new() { ["HF_HUB_CACHE"] = value, ["NERTEST_ROOT"] = Root });

        settings.CacheDirectory.Should().Be(Path.Combine(Root, "x"));
    }

    [Fact]
    public void Resolve_HfHubCacheWithUnknownVariable_KeepsItAsWritten()
    {
        HubSettings settings = Resolve(new() { ["HF_HUB_CACHE"] = Root + "/$NERTEST_UNSET/x" });

        settings.CacheDirectory.Should().Be(Path.GetFullPath(Root + "/$NERTEST_UNSET/x"));
    }

    [Fact]
    public void Resolve_HfHomeWithTildeAndVariable_ExpandsBoth()
    {
        HubSettings settings = Resolve(new() { ["HF_HOME"] = "~/${NERTEST_SUB}", ["NERTEST_SUB"] = "hf", ["HOME"] = Root, ["USERPROFILE"] = Root });

        settings.CacheDirectory.Should().Be(Path.Combine(Root, "hf", "hub"));
    }

    [Fact]
    public void Resolve_OlderCacheVariableWithTilde_ExpandsIt()
    {
        HubSettings settings = Resolve(new() { ["HUGGINGFACE_HUB_CACHE"] = "~/cache", ["HOME"] = Root, ["USERPROFILE"] = Root });

        settings.CacheDirectory.Should().Be(Path.Combine(Root, "cache"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("YES")]
    public void Resolve_TransformersOffline_IsOffline(string value)
    {
        Resolve(new() { ["TRANSFORMERS_OFFLINE"] = value }).Offline.Should().BeTrue();
    }

    [Fact]
    public void Resolve_HfHubOfflineZeroAndTransformersOffline_HfHubOfflineDecides()
    {
        // huggingface_hub reads HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE: a set HF_HUB_OFFLINE wins, even "0".
        Resolve(new() { ["HF_HUB_OFFLINE"] = "0", ["TRANSFORMERS_OFFLINE"] = "1" }).Offline.Should().BeFalse();
    }

    [Fact]
    public async Task DownloadModelAsync_TransformersOfflineFromEnvironment_MakesNoRequests()
    {
        await using var context = new HubTestContext();
        context.Environment["TRANSFORMERS_OFFLINE"] = "1";

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { Offline = null });

        (await act.Should().ThrowAsync<HubException>()).Which.Kind.Should().Be(HubErrorKind.NotCached);
        context.Server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task DownloadModelAsync_OlderCacheVariableFromEnvironment_DownloadsThere()
    {
        await using var context = new HubTestContext();
        context.Environment["HUGGINGFACE_HUB_CACHE"] = context.CacheDirectory;

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { CacheDirectory = null });

        directory.Should().Be(Path.Combine(context.ModelFolder, "snapshots", FakeHubServer.Commit));
    }

    [Fact]
    public async Task DownloadModelAsync_HfHubCacheWithVariable_DownloadsIntoTheExpandedFolder()
    {
        await using var context = new HubTestContext();
        context.Environment["NERTEST_ROOT"] = context.CacheDirectory;
        context.Environment["HF_HUB_CACHE"] = "$NERTEST_ROOT/hub";

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { CacheDirectory = null });

        directory.Should().StartWith(Path.Combine(context.CacheDirectory, "hub", "models--acme--tiny-bert"));
        Directory.Exists(Path.Combine(Environment.CurrentDirectory, "$NERTEST_ROOT")).Should().BeFalse();
    }

    private static HubSettings Resolve(Dictionary<string, string?> environment) =>
        HubSettings.Resolve(new HubOptions(), environment.GetValueOrDefault);
}
