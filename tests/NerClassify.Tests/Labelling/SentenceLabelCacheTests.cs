using NerClassify.Tests.TestSupport;
using FluentAssertions;
using NerClassify.Labelling;

namespace NerClassify.Tests.Labelling;

public sealed class SentenceLabelCacheTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task OpenAsync_MissingFileInMissingFolder_CreatesAnEmptyCache()
    {
        string path = Path.Combine(_folder.Path, "sub", "cache.jsonl");

        await using var cache = await SentenceLabelCache.OpenAsync(path);

        cache.Count.Should().Be(0);
        File.Exists(path).Should().BeTrue();
    }

    [Fact]
    public async Task AddAsync_Answer_IsOnDiskBeforeTheCacheIsClosed()
    {
        string path = _folder.File("cache.jsonl");
        await using var cache = await SentenceLabelCache.OpenAsync(path);

        await cache.AddAsync(new LabelCacheEntry("k1", 2, "2", "m", "Some sentence"));

        string text;
        using (var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)))
        {
            text = await reader.ReadToEndAsync();
        }

        text.Should().EndWith("\n");
        text.Should().Contain("\"key\":\"k1\"").And.Contain("\"label\":2");
    }

    [Fact]
    public async Task OpenAsync_TruncatedLastLine_SkipsItAndLaterAppendsStayReadable()
    {
        string path = _folder.File("cache.jsonl");
        await using (var cache = await SentenceLabelCache.OpenAsync(path))
        {
            await cache.AddAsync(new LabelCacheEntry("k1", 1, "1", "m", "a"));
            await cache.AddAsync(new LabelCacheEntry("k2", null, "banana", "m", "b"));
        }

        await File.AppendAllTextAsync(path, "{\"key\":\"k3\",\"label\":4,\"answ");

        await using (var cache = await SentenceLabelCache.OpenAsync(path))
        {
            cache.Count.Should().Be(2);
            cache.SkippedLines.Should().Be(1);
            await cache.AddAsync(new LabelCacheEntry("k4", 0, "0", "m", "d"));
        }

        await using var reopened = await SentenceLabelCache.OpenAsync(path);
        reopened.Count.Should().Be(3);
        reopened.TryGet("k4", out var entry).Should().BeTrue();
        entry!.Label.Should().Be(0);
        reopened.TryGet("k2", out var unlabelled).Should().BeTrue();
        unlabelled!.Label.Should().BeNull();
        unlabelled.Answer.Should().Be("banana");
    }

    [Fact]
    public async Task AddAsync_ManyConcurrentWriters_KeepsEveryLineWhole()
    {
        string path = _folder.File("cache.jsonl");
        await using (var cache = await SentenceLabelCache.OpenAsync(path))
        {
            await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
                Task.Run(() => cache.AddAsync(new LabelCacheEntry($"k{i}", i % 5, $"{i % 5}", "m", $"sentence \"{i}\"\twith tab")))));
        }

        await using var reopened = await SentenceLabelCache.OpenAsync(path);
        reopened.Count.Should().Be(200);
        reopened.SkippedLines.Should().Be(0);
    }

    [Fact]
    public async Task OpenAsync_SameKeyTwice_LaterLineWins()
    {
        string path = _folder.File("cache.jsonl");
        await using (var cache = await SentenceLabelCache.OpenAsync(path))
        {
            await cache.AddAsync(new LabelCacheEntry("k", null, "banana", "m", "a"));
            await cache.AddAsync(new LabelCacheEntry("k", 3, "3", "m", "a"));
        }

        await using var reopened = await SentenceLabelCache.OpenAsync(path);

        reopened.TryGet("k", out var entry).Should().BeTrue();
        entry!.Label.Should().Be(3);
    }

    [Fact]
    public async Task OpenAsync_GarbageInTheMiddle_SkipsOnlyThatLine()
    {
        string path = _folder.File("cache.jsonl");
        await File.WriteAllTextAsync(path,
            "{\"key\":\"a\",\"label\":1,\"answer\":\"1\"}\nnot json\n{\"key\":\"b\",\"label\":\"x\",\"answer\":\"1\"}\n{\"key\":\"c\",\"label\":2,\"answer\":\"2\"}\n");

        await using var cache = await SentenceLabelCache.OpenAsync(path);

        cache.Count.Should().Be(2);
        cache.SkippedLines.Should().Be(2);
    }
}
