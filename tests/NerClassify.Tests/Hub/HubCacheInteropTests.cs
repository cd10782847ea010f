using System.Text;
using System.Text.Json;
using FluentAssertions;
using NerClassify.Hub;

namespace NerClassify.Tests.Hub;

/// <summary>The files around the cache that huggingface_hub 1.28 writes and reads (issue 20, items 4 and 5).</summary>
public sealed class HubCacheInteropTests
{
    private const string CacheDirTagSignature = "Signature: 8a477f597d28d172789f06886806bc55";

    [Fact]
    public async Task DownloadFileAsync_EntryNotFoundWithoutCommitHeader_ThrowsFileNotFound()
    {
        await using var context = new HubTestContext();
        context.Server.EntryNotFoundWithoutCommit = true;

        Func<Task> act = () => context.Client.DownloadFileAsync(HubTestContext.ModelId, "special_tokens_map.json", context.Options);

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.FileNotFound);
        error.Message.Should().Contain("special_tokens_map.json").And.NotContain("was not found on the hub");
    }

    [Fact]
    public async Task DownloadModelAsync_ConfigEntryNotFoundWithoutCommitHeader_ThrowsFileNotFoundNamingConfig()
    {
        await using var context = new HubTestContext();
        context.Server.Models[HubTestContext.ModelId].Remove(HubClient.ConfigFile);
        context.Server.EntryNotFoundWithoutCommit = true;

        Func<Task> act = () => context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        HubException error = (await act.Should().ThrowAsync<HubException>()).Which;
        error.Kind.Should().Be(HubErrorKind.FileNotFound);
        error.Message.Should().Contain(HubClient.ConfigFile);
    }

    [Fact]
    public async Task DownloadModelAsync_FirstDownload_WritesCacheDirTag()
    {
        await using var context = new HubTestContext();

        await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        string[] lines = File.ReadAllLines(Path.Combine(context.CacheDirectory, "CACHEDIR.TAG"), Encoding.ASCII);
        lines[0].Should().Be(CacheDirTagSignature);
        lines.Skip(1).Should().OnlyContain(line => line.StartsWith('#'));
    }

    [Fact]
    public async Task DownloadModelAsync_CacheDirTagPresent_LeavesIt()
    {
        await using var context = new HubTestContext();
        Directory.CreateDirectory(context.CacheDirectory);
        string tag = Path.Combine(context.CacheDirectory, "CACHEDIR.TAG");
        File.WriteAllText(tag, CacheDirTagSignature + "\n# written by Python\n");

        await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        File.ReadAllText(tag).Should().Be(CacheDirTagSignature + "\n# written by Python\n");
    }

    [Fact]
    public async Task DownloadModelAsync_FirstDownload_WritesTreeListingOfEveryRepoFile()
    {
        await using var context = new HubTestContext();
        Dictionary<string, byte[]> files = context.Server.Models[HubTestContext.ModelId];
        files["README.md"] = Encoding.UTF8.GetBytes("# tiny\n");
        files["onnx/model.onnx"] = [1, 2, 3, 4];
        context.Server.TreePageSize = 2;

        await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        using JsonDocument tree = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(context.ModelFolder, "trees", FakeHubServer.Commit + ".json")));
        tree.RootElement.GetProperty("format_version").GetInt32().Should().Be(1);
        JsonElement listed = tree.RootElement.GetProperty("files");
        listed.EnumerateObject().Select(p => p.Name).Should().Equal(files.Keys.Order(StringComparer.Ordinal), "every file of the commit, sorted, without folders, across pages");
        JsonElement weights = listed.GetProperty(HubClient.SafetensorsFile);
        weights.GetProperty("size").GetInt64().Should().Be(context.Weights.Length);
        weights.GetProperty("blob_id").GetString().Should().Be(FakeHubServer.GitBlobHash(context.Weights));
        weights.GetProperty("lfs_sha256").GetString().Should().Be(FakeHubServer.Sha256(context.Weights));
        weights.GetProperty("lfs_size").GetInt64().Should().Be(context.Weights.Length);
        JsonElement config = listed.GetProperty(HubClient.ConfigFile);
        config.GetProperty("blob_id").GetString().Should().Be(FakeHubServer.GitBlobHash(files[HubClient.ConfigFile]));
        config.TryGetProperty("lfs_sha256", out _).Should().BeFalse();
    }

    [Fact]
    public async Task DownloadModelAsync_RenamedRepository_FollowsTheRedirectAndWritesTheTreeListing()
    {
        // Issue 31, item 14: the hub answers the old name's tree listing with 307 and a relative Location.
        await using var context = new HubTestContext();
        context.Server.RenamedModels["acme/old-bert"] = HubTestContext.ModelId;

        string directory = await context.Client.DownloadModelAsync("acme/old-bert", context.Options);

        File.ReadAllBytes(Path.Combine(directory, HubClient.SafetensorsFile)).Should().Equal(context.Weights);
        string tree = Path.Combine(context.CacheDirectory, "models--acme--old-bert", "trees", FakeHubServer.Commit + ".json");
        using JsonDocument listing = JsonDocument.Parse(File.ReadAllBytes(tree));
        listing.RootElement.GetProperty("files").EnumerateObject().Select(p => p.Name)
            .Should().Equal(context.Server.Models[HubTestContext.ModelId].Keys.Order(StringComparer.Ordinal));
        context.Server.Requests.Should().Contain(r => r.Path.StartsWith("/api/models/acme/tiny-bert/tree/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadModelAsync_TreeListing_IsWrittenReadableByTheOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var context = new HubTestContext();

        await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        string tree = Path.Combine(context.ModelFolder, "trees", FakeHubServer.Commit + ".json");
        File.GetUnixFileMode(tree).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task DownloadModelAsync_HubWithoutTreeApi_StillDownloadsWithoutTreeFile()
    {
        await using var context = new HubTestContext();
        context.Server.TreeApi = false;

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        File.ReadAllBytes(Path.Combine(directory, HubClient.SafetensorsFile)).Should().Equal(context.Weights);
        File.Exists(Path.Combine(context.ModelFolder, "trees", FakeHubServer.Commit + ".json")).Should().BeFalse();
    }

    [Fact]
    public async Task DownloadModelAsync_PythonSnapshotWithTreeListingNoTokenizerConfig_UsesCacheWithoutRequests()
    {
        await using var context = new HubTestContext();
        string snapshot = context.WritePythonSnapshot(HubClient.ConfigFile, HubClient.VocabFile, HubClient.SafetensorsFile);
        Directory.CreateDirectory(Path.Combine(context.ModelFolder, "trees"));
        File.WriteAllText(
            Path.Combine(context.ModelFolder, "trees", FakeHubServer.Commit + ".json"),
            """{"format_version": 1, "files": {"config.json": {"size": 1, "blob_id": "a"}, "model.safetensors": {"size": 1, "blob_id": "b", "lfs_sha256": "c", "lfs_size": 1}, "vocab.txt": {"size": 1, "blob_id": "d"}}}""");

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        directory.Should().Be(snapshot);
        context.Server.RequestCount.Should().Be(0, "the tree listing says the commit has no tokenizer_config.json");
    }

    [Fact]
    public async Task DownloadModelAsync_LockFile_IsGroupWritable()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var context = new HubTestContext();

        await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        string locks = Path.Combine(context.CacheDirectory, ".locks", "models--acme--tiny-bert");
        string[] lockFiles = Directory.GetFiles(locks, "*.lock");
        lockFiles.Should().Contain(Path.Combine(locks, FakeHubServer.Sha256(context.Weights) + ".lock"));
        foreach (string path in lockFiles)
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead, path);
        }
    }

    [Fact]
    public async Task DownloadModelAsync_IncompleteFilesLeftByPython_ResumesLongestAndDeletesTheRest()
    {
        await using var context = new HubTestContext();
        string sha = FakeHubServer.Sha256(context.Weights);
        string blobs = Path.Combine(context.ModelFolder, "blobs");
        Directory.CreateDirectory(blobs);
        File.WriteAllBytes(Path.Combine(blobs, $"{sha}.0a1b2c3d.incomplete"), context.Weights[..50_000]);
        File.WriteAllBytes(Path.Combine(blobs, $"{sha}.9f8e7d6c.incomplete"), context.Weights[..120_000]);

        string directory = await context.Client.DownloadModelAsync(HubTestContext.ModelId, context.Options);

        File.ReadAllBytes(Path.Combine(directory, HubClient.SafetensorsFile)).Should().Equal(context.Weights);
        context.Server.Requests.Should().ContainSingle(r => r.Path == $"/cdn/{sha}").Which.Range.Should().Be("bytes=120000-");
        Directory.GetFiles(blobs, "*.incomplete").Should().BeEmpty();
    }
}
