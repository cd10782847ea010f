using FluentAssertions;
using Microsoft.Extensions.Logging;
using NerClassify.Hub;

namespace NerClassify.Tests.Hub;

/// <summary>When the hub cannot be reached, the cached snapshot is used as huggingface_hub uses it (issue 20, item 1).</summary>
public sealed class HubOfflineFallbackTests
{
    private const int NetworkFallbackEvent = 4311;

    [Fact]
    public async Task DownloadModelAsync_ServerStoppedAndPythonSnapshotWithoutTokenizerConfig_ReturnsItAndWarns()
    {
        await using var context = new HubTestContext();
        string snapshot = context.WritePythonSnapshot(HubClient.ConfigFile, HubClient.VocabFile, HubClient.SafetensorsFile);
        await context.Server.DisposeAsync();
        var logger = new CapturingLogger<HubClient>();
        using HubClient client = context.NewClient(logger);

        string directory = await client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        directory.Should().Be(snapshot);
        LogEntry warning = logger.Entries.Should().ContainSingle(e => e.EventId == NetworkFallbackEvent).Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain(snapshot).And.Contain(HubTestContext.ModelId).And.Contain("HF_HUB_OFFLINE=1");
    }

    [Fact]
    public async Task DownloadModelAsync_ServerStoppedWithCheckForUpdates_ReturnsCachedSnapshot()
    {
        await using var context = new HubTestContext();
        string online = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);
        await context.Server.DisposeAsync();

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { CheckForUpdates = true });

        directory.Should().Be(online);
    }

    [Fact]
    public async Task DownloadModelAsync_ServerStoppedAndNothingCached_ThrowsNetworkSayingToSetHfHubOffline()
    {
        await using var context = new HubTestContext();
        string endpoint = context.Server.Endpoint;
        await context.Server.DisposeAsync();

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.Network);
        error.Message.Should().Contain($"{endpoint}/{HubTestContext.ModelId}/resolve/main/config.json")
            .And.Contain("HF_HUB_OFFLINE=1")
            .And.Contain(Path.Combine(context.CacheDirectory, "models--acme--tiny-bert"));
        error.InnerException.Should().BeOfType<HubException>();
    }

    [Fact]
    public async Task DownloadModelAsync_ServerStoppedAndSnapshotWithoutWeights_ThrowsNamingTheMissingWeights()
    {
        await using var context = new HubTestContext();
        context.WritePythonSnapshot(HubClient.ConfigFile, HubClient.VocabFile, HubClient.TokenizerConfigFile);
        await context.Server.DisposeAsync();

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.Network);
        error.Message.Should().Contain($"lacks {HubClient.SafetensorsFile}").And.Contain("HF_HUB_OFFLINE=1");
    }

    [Fact]
    public async Task DownloadModelAsync_NewCommitUnreachableMidDownload_FallsBackToTheCommitCachedBefore()
    {
        await using var context = new HubTestContext();
        string old = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);
        context.Server.CurrentCommit = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        context.Server.Models[HubTestContext.ModelId][HubClient.SafetensorsFile] = [1, 2, 3];
        context.Server.DropsRemaining = 100;

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { CheckForUpdates = true, MaxRetries = 0 });

        directory.Should().Be(old);
    }

    [Fact]
    public async Task DownloadFileAsync_ServerStoppedWithFileCached_ReturnsCachedFile()
    {
        await using var context = new HubTestContext();
        string online = await context.Client.DownloadFileAsync(HubTestContext.ModelId, HubClient.VocabFile, context.Options);
        await context.Server.DisposeAsync();

        string path = await context.Client.DownloadFileAsync(HubTestContext.ModelId, HubClient.VocabFile, context.Options with { CheckForUpdates = true });

        path.Should().Be(online);
    }

    [Fact]
    public async Task DownloadFileAsync_ServerStoppedWithoutFile_ThrowsNetworkSayingToSetHfHubOffline()
    {
        await using var context = new HubTestContext();
        await context.Client.DownloadFileAsync(HubTestContext.ModelId, HubClient.VocabFile, context.Options);
        await context.Server.DisposeAsync();

        Func<Task> act = () => context.Client.DownloadFileAsync(HubTestContext.ModelId, HubClient.ConfigFile, context.Options);

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.Network);
        error.Message.Should().Contain($"lacks {HubClient.ConfigFile}").And.Contain("HF_HUB_OFFLINE=1");
    }
}
