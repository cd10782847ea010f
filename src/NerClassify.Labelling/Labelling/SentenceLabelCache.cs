using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NerClassify.Labelling;

/// <summary>
/// Remembers the model's answers in an append-only JSON-lines file, so that a second run over the same sentences, with the
/// same model and prompt, sends no request, and a run that stops half-way keeps every answer it got.
/// </summary>
/// <remarks>
/// Each answer is appended as one line and flushed to the operating system before the labeller moves on. When the file is
/// opened, lines that cannot be read (such as a last line cut short by a crash) are skipped with a warning, and a missing final
/// line break is restored so that new lines start clean. Later lines win over earlier ones with the same key.
/// Instances are safe to use from several threads; the file is opened for writing by one instance at a time.
/// </remarks>
public sealed class SentenceLabelCache : IDisposable, IAsyncDisposable
{
    private readonly Dictionary<string, LabelCacheEntry> _entries;
    private readonly FileStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly object _entriesLock = new();
    private bool _disposed;

    private SentenceLabelCache(string path, FileStream stream, Dictionary<string, LabelCacheEntry> entries, int skippedLines)
    {
        Path = path;
        _stream = stream;
        _entries = entries;
        SkippedLines = skippedLines;
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    /// <summary>The number of distinct remembered answers.</summary>
    public int Count
    {
        get
        {
            lock (_entriesLock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Lines of the file that could not be read when it was opened, and were skipped.</summary>
    public int SkippedLines { get; }

    /// <summary>Opens a cache file, creating it (and its folder) when missing, and reads the answers it holds.</summary>
    /// <param name="path">The JSON-lines file.</param>
    /// <param name="logger">Receives warnings about skipped lines; defaults to <see cref="NullLogger"/>.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The open cache; dispose it to close the file.</returns>
    /// <exception cref="IOException">The file cannot be opened, for example because another cache has it open.</exception>
    public static Task<SentenceLabelCache> OpenAsync(string path, ILogger<SentenceLabelCache>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return OpenCoreAsync(System.IO.Path.GetFullPath(path), logger ?? (ILogger)NullLogger.Instance, cancellationToken);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stream.Dispose();
        _writeLock.Dispose();
    }

    /// <summary>Closes the file.</summary>
    /// <returns>A task that completes when the file is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stream.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
    }

    /// <summary>Looks up a remembered answer.</summary>
    internal bool TryGet(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LabelCacheEntry? entry)
    {
        lock (_entriesLock)
        {
            return _entries.TryGetValue(key, out entry);
        }
    }

    /// <summary>
    /// Appends an answer and flushes it. Deliberately not cancellable: an answer that has arrived is always kept,
    /// and a write cut in the middle would leave a broken line.
    /// </summary>
    internal async Task AddAsync(LabelCacheEntry entry)
    {
        byte[] line = Serialize(entry);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await _stream.WriteAsync(line).ConfigureAwait(false);
            await _stream.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        lock (_entriesLock)
        {
            _entries[entry.Key] = entry;
        }
    }

    private static async Task<SentenceLabelCache> OpenCoreAsync(string path, ILogger logger, CancellationToken cancellationToken)
    {
        string? folder = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.Asynchronous);
        try
        {
            var entries = new Dictionary<string, LabelCacheEntry>(StringComparer.Ordinal);
            int skipped = 0;
            int lineNumber = 0;
            using (var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, 1 << 16, leaveOpen: true))
            {
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    lineNumber++;
                    if (string.IsNullOrWhiteSpace(line))
                    {
                        continue;
                    }

                    if (TryDeserialize(line) is { } entry)
                    {
                        entries[entry.Key] = entry;
                    }
                    else
                    {
                        skipped++;
                        LabellingLog.CacheLineSkipped(logger, path, lineNumber);
                    }
                }
            }

            // A crash mid-write leaves the last line without its line break; start the next line on a fresh one.
            if (stream.Length > 0)
            {
                stream.Seek(-1, SeekOrigin.End);
                if (stream.ReadByte() != '\n')
                {
                    stream.Seek(0, SeekOrigin.End);
                    stream.WriteByte((byte)'\n');
                    await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            stream.Seek(0, SeekOrigin.End);
            LabellingLog.CacheOpened(logger, path, entries.Count, skipped);
            return new SentenceLabelCache(path, stream, entries, skipped);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static byte[] Serialize(LabelCacheEntry entry)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("key", entry.Key);
            if (entry.Label is { } label)
            {
                writer.WriteNumber("label", label);
            }
            else
            {
                writer.WriteNull("label");
            }

            writer.WriteString("answer", entry.Answer);
            writer.WriteString("model", entry.Model);
            writer.WriteString("sentence", entry.Sentence);
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static LabelCacheEntry? TryDeserialize(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(key.GetString())
                || !root.TryGetProperty("answer", out var answer) || answer.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("label", out var label))
            {
                return null;
            }

            int? labelValue;
            if (label.ValueKind == JsonValueKind.Null)
            {
                labelValue = null;
            }
            else if (label.ValueKind == JsonValueKind.Number && label.TryGetInt32(out int number) && number >= 0)
            {
                labelValue = number;
            }
            else
            {
                return null;
            }

            return new LabelCacheEntry(key.GetString()!, labelValue, answer.GetString()!, OptionalString(root, "model"), OptionalString(root, "sentence"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
