using System.Text.RegularExpressions;
using NerClassify.IO;

namespace NerClassify.Hub;

/// <summary>
/// One model's folder in a cache laid out like <c>huggingface_hub</c>'s:
/// <c>blobs/{etag}</c> holds content, <c>snapshots/{commit}/{file}</c> links to it,
/// <c>refs/{revision}</c> holds the commit a branch or tag named, and <c>.no_exist/{commit}/{file}</c>
/// records a file the commit lacks. Locks live in <c>{cache}/.locks/{folder}/{etag}.lock</c>.
/// </summary>
internal sealed partial class HubCache
{
    private readonly string _locks;

    /// <summary>Names the folder of <paramref name="repo"/> under <paramref name="cacheDirectory"/>; creates nothing.</summary>
    public HubCache(string cacheDirectory, RepoId repo)
    {
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

    /// <summary>True when the hub said that <paramref name="commit"/> has no <paramref name="fileName"/>.</summary>
    public bool IsKnownMissing(string commit, string fileName) => File.Exists(NoExistPath(commit, fileName));

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
