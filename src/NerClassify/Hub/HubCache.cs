using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NerClassify.IO;

namespace NerClassify.Hub;

/// <summary>
/// One model's folder in a cache laid out like <c>huggingface_hub</c>'s:
/// <c>blobs/{etag}</c> holds content, <c>snapshots/{commit}/{file}</c> links to it,
/// <c>refs/{revision}</c> holds the commit a branch or tag named, and <c>.no_exist/{commit}/{file}</c>
/// records a file the commit lacks, and <c>trees/{commit}.json</c> lists every file of the commit (as
/// <c>huggingface_hub</c> 1.22 and later write it). Locks live in <c>{cache}/.locks/{folder}/{etag}.lock</c>.
/// </summary>
internal sealed partial class HubCache
{
    /// <summary>The permissions of <c>trees/{commit}.json</c>: read and write for the owner only, as <c>huggingface_hub</c> writes it.</summary>
    public const UnixFileMode TreeFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The version of the <c>trees/{commit}.json</c> layout, <c>TREE_CACHE_FORMAT_VERSION</c> in <c>huggingface_hub</c>.</summary>
    public const int TreeFormatVersion = 1;

    // The Cache Directory Tagging Specification (https://bford.info/cachedir/): this exact first line, then comments.
    private const string CacheDirTagContent =
        "Signature: 8a477f597d28d172789f06886806bc55\n" +
        "# This file is a cache directory tag created by NerClassify for the Hugging Face hub cache.\n" +
        "# For information about cache directory tags, see:\n" +
        "#\thttps://bford.info/cachedir/\n";

    private readonly string _cacheDirectory;
    private readonly string _locks;

    /// <summary>Names the folder of <paramref name="repo"/> under <paramref name="cacheDirectory"/>; creates nothing.</summary>
    public HubCache(string cacheDirectory, RepoId repo)
    {
        _cacheDirectory = cacheDirectory;
        Root = Path.Combine(cacheDirectory, repo.CacheFolderName);
        _locks = Path.Combine(cacheDirectory, ".locks", repo.CacheFolderName);
    }

    /// <summary>The model's folder: <c>{cache}/models--{org}--{name}</c>.</summary>
    public string Root { get; }

    /// <summary>True when <paramref name="revision"/> is a full 40-hex commit hash.</summary>
    public static bool IsCommitHash(string revision) => CommitPattern().IsMatch(revision);

    /// <summary>The snapshot folder of <paramref name="commit"/>.</summary>
    public string SnapshotDirectory(string commit) => Path.Combine(Root, "snapshots", commit);

    /// <summary>The path of <paramref name="fileName"/> in the snapshot of <paramref name="commit"/>.</summary>
    public string PointerPath(string commit, string fileName) => Path.Combine(SnapshotDirectory(commit), LocalName(fileName));

    /// <summary>The content file of <paramref name="etag"/>.</summary>
    public string BlobPath(string etag) => Path.Combine(Root, "blobs", etag);

    /// <summary>Where <paramref name="etag"/>'s content is written before it is verified.</summary>
    public string IncompletePath(string etag) => BlobPath(etag) + ".incomplete";

    /// <summary>The lock file that serialises downloads of <paramref name="etag"/> across processes.</summary>
    public string LockPath(string etag) => Path.Combine(_locks, etag + ".lock");

    /// <summary>True when the snapshot of <paramref name="commit"/> holds <paramref name="fileName"/> (a link whose blob is gone does not count).</summary>
    public bool HasFile(string commit, string fileName) => File.Exists(PointerPath(commit, fileName));

    /// <summary>
    /// True when <paramref name="commit"/> is known to lack <paramref name="fileName"/>: the hub said so
    /// (<c>.no_exist</c>), or the commit's file list (<c>trees/{commit}.json</c>) does not name it.
    /// </summary>
    public bool IsKnownMissing(string commit, string fileName) =>
        File.Exists(NoExistPath(commit, fileName)) || (TryReadTree(commit) is { } files && !files.Contains(fileName));

    /// <summary>The path of the file list of <paramref name="commit"/>: <c>trees/{commit}.json</c>.</summary>
    public string TreePath(string commit) => Path.Combine(Root, "trees", commit + ".json");

    /// <summary>The paths the file list of <paramref name="commit"/> names, or null when there is none or it is unreadable or of another format version.</summary>
    public HashSet<string>? TryReadTree(string commit)
    {
        try
        {
            using FileStream stream = File.OpenRead(TreePath(commit));
            using JsonDocument document = JsonDocument.Parse(stream);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("format_version", out JsonElement version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != TreeFormatVersion
                || !root.TryGetProperty("files", out JsonElement files) || files.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return files.EnumerateObject().Select(file => file.Name).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException)
        {
            // Missing or damaged: as in Python, it is simply not used.
            return null;
        }
    }

    /// <summary>
    /// Writes the file list of <paramref name="commit"/> in <c>huggingface_hub</c>'s layout, so that Python's offline
    /// <c>snapshot_download</c> can tell that a snapshot holds only some of the files:
    /// <c>{"format_version": 1, "files": {path: {"size", "blob_id"[, "lfs_sha256", "lfs_size"][, "xet_hash"]}}}</c>,
    /// sorted by path, indented by one space.
    /// </summary>
    public void WriteTree(string commit, IReadOnlyCollection<RepoTreeEntry> entries)
    {
        string path = TreePath(commit);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentSize = 1 });
            json.WriteStartObject();
            json.WriteNumber("format_version", TreeFormatVersion);
            json.WriteStartObject("files");
            foreach (RepoTreeEntry entry in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
            {
                json.WriteStartObject(entry.Path);
                json.WriteNumber("size", entry.Size);
                json.WriteString("blob_id", entry.BlobId);
                if (entry.LfsSha256 is { } sha256)
                {
                    json.WriteString("lfs_sha256", sha256);
                    if (entry.LfsSize is { } lfsSize)
                    {
                        json.WriteNumber("lfs_size", lfsSize);
                    }
                    else
                    {
                        json.WriteNull("lfs_size");
                    }
                }

                if (entry.XetHash is { } xetHash)
                {
                    json.WriteString("xet_hash", xetHash);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }, TreeFileMode);
    }

    /// <summary>
    /// Marks the cache folder for backup tools with <c>CACHEDIR.TAG</c> when it has none, as <c>huggingface_hub</c>
    /// does before it writes a file. A read-only or racing folder is not an error.
    /// </summary>
    public void TagCacheDirectory()
    {
        string tag = Path.Combine(_cacheDirectory, "CACHEDIR.TAG");
        if (File.Exists(tag))
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(_cacheDirectory);
            AtomicFile.WriteAllBytes(tag, Encoding.ASCII.GetBytes(CacheDirTagContent));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a hint for backup tools; the cache works without it.
        }
    }

    /// <summary>Records that <paramref name="commit"/> has no <paramref name="fileName"/>, so later runs need not ask.</summary>
    public void MarkMissing(string commit, string fileName)
    {
        string path = NoExistPath(commit, fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, ReadOnlySpan<byte>.Empty);
    }

    /// <summary>The commit that <paramref name="revision"/> named when it was last resolved, or null.</summary>
    public string? TryReadRef(string revision)
    {
        string path = RefPath(revision);
        if (!File.Exists(path))
        {
            return null;
        }

        string commit = File.ReadAllText(path).Trim();
        return IsCommitHash(commit) ? commit : null;
    }

    /// <summary>Records that <paramref name="revision"/> names <paramref name="commit"/> (nothing for a commit hash itself).</summary>
    public void WriteRef(string revision, string commit)
    {
        if (revision == commit || TryReadRef(revision) == commit)
        {
            return;
        }

        string path = RefPath(revision);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, commit);
    }

    /// <summary>
    /// Makes the snapshot entry of <paramref name="fileName"/> point at <paramref name="etag"/>'s blob:
    /// a relative symbolic link where the OS allows one, else a copy. Either appears atomically.
    /// </summary>
    public void Link(string commit, string fileName, string etag)
    {
        string pointer = PointerPath(commit, fileName);
        string blob = BlobPath(etag);
        string folder = Path.GetDirectoryName(pointer)!;
        Directory.CreateDirectory(folder);
        string temp = AtomicFile.TempPathBeside(pointer);
        try
        {
            try
            {
                File.CreateSymbolicLink(temp, Path.GetRelativePath(folder, blob));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                // Windows without developer mode refuses links; huggingface_hub copies then too.
                File.Copy(blob, temp, overwrite: true);
            }

            File.Move(temp, pointer, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private string RefPath(string revision) => Path.Combine(Root, "refs", LocalName(revision));

    private string NoExistPath(string commit, string fileName) => Path.Combine(Root, ".no_exist", commit, LocalName(fileName));

    private static string LocalName(string repoPath) => Path.Combine(repoPath.Split('/'));

    [GeneratedRegex("^[0-9a-f]{40}$", RegexOptions.CultureInvariant)]
    private static partial Regex CommitPattern();
}
