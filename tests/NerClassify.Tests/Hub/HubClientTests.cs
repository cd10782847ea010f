using System.Collections.Concurrent;
using FluentAssertions;
using NerClassify.Hub;

namespace NerClassify.Tests.Hub;

public sealed class HubClientTests
{
    [Fact]
    public async Task DownloadModelAsync_FirstDownload_WritesFilesInHubCacheLayout()
    {
        await using var context = new HubTestContext();

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        directory.Should().Be(Path.Combine(context.ModelFolder, "snapshots", FakeHubServer.Commit));
        File.ReadAllBytes(Path.Combine(directory, HubClient.SafetensorsFile)).Should().Equal(context.Weights);
        File.ReadAllBytes(Path.Combine(directory, HubClient.ConfigFile)).Should().Equal(context.Server.Models[HubTestContext.ModelId][HubClient.ConfigFile]);
        File.ReadAllText(Path.Combine(directory, HubClient.VocabFile)).Should().Contain("hello");
        File.ReadAllText(Path.Combine(context.ModelFolder, "refs", "main")).Should().Be(FakeHubServer.Commit);
        string sha = FakeHubServer.Sha256(context.Weights);
        File.Exists(Path.Combine(context.ModelFolder, "blobs", sha)).Should().BeTrue();
        Directory.GetFiles(Path.Combine(context.ModelFolder, "blobs"), "*.incomplete").Should().BeEmpty();
        if (!OperatingSystem.IsWindows())
        {
            new FileInfo(Path.Combine(directory, HubClient.SafetensorsFile)).LinkTarget.Should().Be(Path.Combine("..", "..", "blobs", sha));
        }
    }

    [Fact]
    public async Task DownloadModelAsync_LfsFile_FetchesContentFromRedirectTarget()
    {
        await using var context = new HubTestContext();

        await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        string sha = FakeHubServer.Sha256(context.Weights);
        context.Server.Requests.Should().Contain(r => r.Method == "HEAD" && r.Path == $"/{HubTestContext.ModelId}/resolve/main/config.json");
        context.Server.Requests.Should().Contain(r => r.Method == "HEAD" && r.Path == $"/{HubTestContext.ModelId}/resolve/{FakeHubServer.Commit}/model.safetensors");
        context.Server.Requests.Where(r => r.Method == "GET" && r.Path == $"/cdn/{sha}").Should().ContainSingle();
    }

    [Fact]
    public async Task DownloadModelAsync_Progress_ReportsWeightsUpToTheirSize()
    {
        await using var context = new HubTestContext();
        var reports = new ConcurrentQueue<DownloadProgress>();

        await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options, new SyncProgress<DownloadProgress>(reports.Enqueue));

        List<DownloadProgress> weights = reports.Where(p => p.FileName == HubClient.SafetensorsFile).ToList();
        weights.Should().NotBeEmpty();
        weights.Should().OnlyContain(p => p.ModelId == HubTestContext.ModelId && p.TotalBytes == context.Weights.Length);
        weights[^1].BytesDownloaded.Should().Be(context.Weights.Length);
        weights.Select(p => p.BytesDownloaded).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task DownloadModelAsync_ModelAlreadyCached_MakesNoRequests()
    {
        await using var context = new HubTestContext();
        string first = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);
        int before = context.Server.RequestCount;

        using HubClient another = context.NewClient();
        string second = await another.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        second.Should().Be(first);
        context.Server.RequestCount.Should().Be(before);
    }

    [Fact]
    public async Task DownloadModelAsync_CheckForUpdatesAfterNewCommit_DownloadsNewSnapshot()
    {
        await using var context = new HubTestContext();
        await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);
        const string newCommit = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        context.Server.CurrentCommit = newCommit;

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { CheckForUpdates = true });

        directory.Should().EndWith(newCommit);
        File.ReadAllText(Path.Combine(context.ModelFolder, "refs", "main")).Should().Be(newCommit);
        File.ReadAllBytes(Path.Combine(directory, HubClient.SafetensorsFile)).Should().Equal(context.Weights);
        context.Server.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/cdn/", StringComparison.Ordinal)).Should().Be(1, "the blob is shared by both commits");
    }

    [Fact]
    public async Task DownloadModelAsync_ConnectionDroppedMidFile_ResumesWithRangeRequest()
    {
        await using var context = new HubTestContext();
        context.Server.DropsRemaining = 1;

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        File.ReadAllBytes(Path.Combine(directory, HubClient.SafetensorsFile)).Should().Equal(context.Weights);
        RecordedRequest resumed = context.Server.Requests.Should().ContainSingle(r => r.Range != null).Subject;
        resumed.Path.Should().StartWith("/cdn/");
        resumed.Range.Should().Be($"bytes={context.Weights.Length / 2}-");
    }

    [Fact]
    public async Task DownloadModelAsync_IncompleteFileFromEarlierRun_ResumesFromItsLength()
    {
        await using var context = new HubTestContext();
        string sha = FakeHubServer.Sha256(context.Weights);
        Directory.CreateDirectory(Path.Combine(context.ModelFolder, "blobs"));
        File.WriteAllBytes(Path.Combine(context.ModelFolder, "blobs", sha + ".incomplete"), context.Weights[..100_000]);

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        File.ReadAllBytes(Path.Combine(directory, HubClient.SafetensorsFile)).Should().Equal(context.Weights);
        context.Server.Requests.Should().ContainSingle(r => r.Path == $"/cdn/{sha}").Which.Range.Should().Be("bytes=100000-");
    }

    [Fact]
    public async Task DownloadModelAsync_DropsBeyondMaxRetries_ThrowsNetworkErrorAndKeepsPartialFile()
    {
        await using var context = new HubTestContext();
        context.Server.DropsRemaining = 100;

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { MaxRetries = 1 });

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.Network);
        error.Message.Should().Contain("/cdn/").And.Contain(HubClient.SafetensorsFile);
        string sha = FakeHubServer.Sha256(context.Weights);
        File.Exists(Path.Combine(context.ModelFolder, "blobs", sha + ".incomplete")).Should().BeTrue();
        context.Server.DropsRemaining = 0;
        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);
        File.ReadAllBytes(Path.Combine(directory, HubClient.SafetensorsFile)).Should().Equal(context.Weights);
    }

    [Fact]
    public async Task DownloadModelAsync_CorruptDownload_DetectsDeletesAndRefetches()
    {
        await using var context = new HubTestContext();
        context.Server.CorruptionsRemaining = 1;

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        File.ReadAllBytes(Path.Combine(directory, HubClient.SafetensorsFile)).Should().Equal(context.Weights);
        context.Server.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/cdn/", StringComparison.Ordinal) && r.Range == null).Should().Be(2);
    }

    [Fact]
    public async Task DownloadModelAsync_CorruptTwice_ThrowsCorruptAndLeavesNoBlob()
    {
        await using var context = new HubTestContext();
        context.Server.CorruptionsRemaining = 2;

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.Corrupt);
        error.Message.Should().Contain("SHA-256").And.Contain(HubTestContext.ModelId).And.Contain("/cdn/");
        string blobs = Path.Combine(context.ModelFolder, "blobs");
        string sha = FakeHubServer.Sha256(context.Weights);
        Directory.GetFiles(blobs).Should().NotContain(f => Path.GetFileName(f).StartsWith(sha, StringComparison.Ordinal));
        File.Exists(Path.Combine(context.ModelFolder, "snapshots", FakeHubServer.Commit, HubClient.SafetensorsFile)).Should().BeFalse();
    }

    [Fact]
    public async Task DownloadModelAsync_TwoConcurrentDownloads_BothSucceedWithIntactFiles()
    {
        await using var context = new HubTestContext();
        context.Server.ChunkDelay = TimeSpan.FromMilliseconds(5);
        using HubClient other = context.NewClient();

        string[] directories = await Task.WhenAll(
            Task.Run(() => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options)),
            Task.Run(() => other.DownloadModelAsync(HubTestContext.ModelId, context.Options)));

        directories[0].Should().Be(directories[1]);
        File.ReadAllBytes(Path.Combine(directories[0], HubClient.SafetensorsFile)).Should().Equal(context.Weights);
        File.ReadAllText(Path.Combine(directories[0], HubClient.VocabFile)).Should().Contain("hello");
        context.Server.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/cdn/", StringComparison.Ordinal)).Should().Be(1, "the second waits on the lock, then finds the blob");
        Directory.GetFiles(Path.Combine(context.ModelFolder, "blobs"), "*.incomplete").Should().BeEmpty();
    }

    [Fact]
    public async Task DownloadModelAsync_OfflineWithCachedModel_ReturnsSnapshotWithoutRequests()
    {
        await using var context = new HubTestContext();
        string online = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);
        int before = context.Server.RequestCount;

        string offline = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { Offline = true });

        offline.Should().Be(online);
        context.Server.RequestCount.Should().Be(before);
    }

    [Fact]
    public async Task DownloadModelAsync_OfflineFromEnvironment_MakesNoRequests()
    {
        await using var context = new HubTestContext();
        context.Environment["HF_HUB_OFFLINE"] = "1";

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { Offline = null });

        (await act.Should().ThrowAsync<HubException>()).Which.Kind.Should().Be(HubErrorKind.NotCached);
        context.Server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task DownloadModelAsync_OfflineWithoutCache_ThrowsNamingModelRevisionAndFile()
    {
        await using var context = new HubTestContext();

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { Offline = true, Revision = "v1.0" });

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.NotCached);
        error.Message.Should().Contain(HubTestContext.ModelId).And.Contain("'v1.0'").And.Contain("refs").And.Contain("HF_HUB_OFFLINE");
        context.Server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task DownloadModelAsync_OfflineWithSnapshotMissingWeights_ThrowsNamingTheFile()
    {
        await using var context = new HubTestContext();
        string snapshot = Path.Combine(context.ModelFolder, "snapshots", FakeHubServer.Commit);
        Directory.CreateDirectory(snapshot);
        File.WriteAllText(Path.Combine(snapshot, HubClient.ConfigFile), "{}");
        File.WriteAllText(Path.Combine(snapshot, HubClient.VocabFile), "[PAD]\n");

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { Offline = true, Revision = FakeHubServer.Commit });

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Message.Should().Contain(HubClient.SafetensorsFile).And.Contain(HubTestContext.ModelId).And.Contain(FakeHubServer.Commit);
        context.Server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task DownloadModelAsync_OfflineWithPythonStyleCache_UsesIt()
    {
        await using var context = new HubTestContext();
        byte[] weights = context.Weights;
        string sha = FakeHubServer.Sha256(weights);
        string blobs = Path.Combine(context.ModelFolder, "blobs");
        string snapshot = Path.Combine(context.ModelFolder, "snapshots", FakeHubServer.Commit);
        Directory.CreateDirectory(blobs);
        Directory.CreateDirectory(snapshot);
        Directory.CreateDirectory(Path.Combine(context.ModelFolder, "refs"));
        File.WriteAllText(Path.Combine(context.ModelFolder, "refs", "main"), FakeHubServer.Commit);
        File.WriteAllBytes(Path.Combine(blobs, sha), weights);
        File.CreateSymbolicLink(Path.Combine(snapshot, HubClient.PyTorchFile), Path.Combine("..", "..", "blobs", sha));
        File.WriteAllText(Path.Combine(snapshot, HubClient.ConfigFile), "{}");
        File.WriteAllText(Path.Combine(snapshot, HubClient.VocabFile), "[PAD]\n");

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { Offline = true });

        directory.Should().Be(snapshot);
        File.ReadAllBytes(Path.Combine(directory, HubClient.PyTorchFile)).Should().Equal(weights);
        context.Server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task DownloadModelAsync_UnknownModel_ThrowsNamingModelAndUrl()
    {
        await using var context = new HubTestContext();

        Func<Task> act = () => context.Client.DownloadModelAsync("acme/no-such-model", context.Options);

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.ModelNotFound);
        error.StatusCode.Should().Be(404);
        error.Message.Should().Contain("'acme/no-such-model'").And.Contain($"{context.Server.Endpoint}/acme/no-such-model/resolve/main/config.json");
        Directory.Exists(Path.Combine(context.CacheDirectory, "models--acme--no-such-model", "snapshots")).Should().BeFalse();
    }

    [Fact]
    public async Task DownloadModelAsync_UnknownRevision_ThrowsNamingRevision()
    {
        await using var context = new HubTestContext();

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { Revision = "no-branch" });

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.RevisionNotFound);
        error.Message.Should().Contain("'no-branch'").And.Contain(HubTestContext.ModelId);
    }

    [Fact]
    public async Task DownloadModelAsync_PrivateModelWithoutToken_ThrowsSayingToPassToken()
    {
        await using var context = new HubTestContext();
        context.Server.RequiredToken = "hf_secret";

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.Unauthorized);
        error.StatusCode.Should().Be(401);
        error.Message.Should().Contain(HubTestContext.ModelId).And.Contain("HF_TOKEN").And.Contain("token");
        context.Server.Requests.Should().OnlyContain(r => r.Authorization == null);
    }

    [Fact]
    public async Task DownloadModelAsync_TokenFromEnvironment_SentAsBearer()
    {
        await using var context = new HubTestContext();
        context.Server.RequiredToken = "hf_secret";
        context.Environment["HF_TOKEN"] = "hf_secret";

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        File.ReadAllBytes(Path.Combine(directory, HubClient.SafetensorsFile)).Should().Equal(context.Weights);
        context.Server.Requests.Where(r => r.Path.Contains("/resolve/", StringComparison.Ordinal)).Should().OnlyContain(r => r.Authorization == "Bearer hf_secret");
    }

    [Fact]
    public async Task DownloadModelAsync_NoSafetensors_FallsBackToPytorchBin()
    {
        await using var context = new HubTestContext(safetensors: false, pytorch: true);

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        File.ReadAllBytes(Path.Combine(directory, HubClient.PyTorchFile)).Should().Equal(context.Weights);
        File.Exists(Path.Combine(directory, HubClient.SafetensorsFile)).Should().BeFalse();
        File.Exists(Path.Combine(context.ModelFolder, ".no_exist", FakeHubServer.Commit, HubClient.SafetensorsFile)).Should().BeTrue();
        int before = context.Server.RequestCount;
        await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);
        context.Server.RequestCount.Should().Be(before, "the missing safetensors file is remembered");
    }

    [Fact]
    public async Task DownloadModelAsync_NeitherWeightsFile_ThrowsNoWeights()
    {
        await using var context = new HubTestContext(safetensors: false, pytorch: false);

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.NoWeights);
        error.Message.Should().Contain(HubClient.SafetensorsFile).And.Contain(HubClient.PyTorchFile).And.Contain(HubTestContext.ModelId);
    }

    [Fact]
    public async Task DownloadModelAsync_ServerUnreachable_ThrowsNetworkErrorNamingUrl()
    {
        await using var context = new HubTestContext();
        string endpoint = context.Server.Endpoint;
        await context.Server.DisposeAsync();

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { Endpoint = endpoint });

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.Network);
        error.Message.Should().Contain($"{endpoint}/{HubTestContext.ModelId}/resolve/main/config.json");
    }

    [Fact]
    public async Task DownloadModelAsync_RevisionIsCommitHash_DownloadsWithoutWritingRef()
    {
        await using var context = new HubTestContext();

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options with { Revision = FakeHubServer.Commit });

        directory.Should().EndWith(FakeHubServer.Commit);
        Directory.Exists(Path.Combine(context.ModelFolder, "refs")).Should().BeFalse();
        context.Server.Requests.Should().OnlyContain(r => !r.Path.Contains("/resolve/main/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadModelAsync_Cancelled_ThrowsOperationCanceled()
    {
        await using var context = new HubTestContext();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options, cancellationToken: cancellation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task DownloadFileAsync_ExistingFile_ReturnsPathInSnapshot()
    {
        await using var context = new HubTestContext();

        string path = await context.Client.DownloadFileAsync(HubTestContext.ModelId, HubClient.TokenizerConfigFile, context.Options);

        path.Should().Be(Path.Combine(context.ModelFolder, "snapshots", FakeHubServer.Commit, HubClient.TokenizerConfigFile));
        File.ReadAllText(path).Should().Contain("do_lower_case");
    }

    [Fact]
    public async Task DownloadFileAsync_OfflineAfterDownload_ReturnsPathWithoutRequests()
    {
        await using var context = new HubTestContext();
        string online = await context.Client.DownloadFileAsync(HubTestContext.ModelId, HubClient.VocabFile, context.Options);
        int before = context.Server.RequestCount;

        string offline = await context.Client.DownloadFileAsync(HubTestContext.ModelId, HubClient.VocabFile, context.Options with { Offline = true });

        offline.Should().Be(online);
        context.Server.RequestCount.Should().Be(before);
    }

    [Fact]
    public async Task DownloadFileAsync_MissingFile_ThrowsFileNotFoundNamingIt()
    {
        await using var context = new HubTestContext();

        Func<Task> act = () => context.Client.DownloadFileAsync(HubTestContext.ModelId, "special_tokens_map.json", context.Options);

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.FileNotFound);
        error.Message.Should().Contain("special_tokens_map.json").And.Contain(HubTestContext.ModelId);
    }

    [Fact]
    public async Task DownloadModelAsync_InjectedClientFollowsRedirects_ThrowsExplainingAllowAutoRedirect()
    {
        await using var context = new HubTestContext();
        using var followsRedirects = new HttpClient();
        using var client = new HubClient(followsRedirects);

        Func<Task> act = () => client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.InvalidResponse);
        error.Message.Should().Contain("AllowAutoRedirect");
    }

    [Theory]
    [InlineData("")]
    [InlineData("org/name/extra")]
    [InlineData("bad--name")]
    [InlineData("../escape")]
    public void DownloadModelAsync_MalformedModelId_ThrowsBeforeAnyWork(string modelId)
    {
        using var client = new HubClient();

        Action act = () => client.DownloadModelAsync(modelId);

        act.Should().Throw<ArgumentException>();
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
