namespace NerClassify.IO;

/// <summary>
/// The hidden entries a save of <c>parent/name</c> makes beside its target, and the removal of those that a
/// killed or failed save left behind. Each save has an id and three names:
/// <c>.nerclassify-save.{name}.{id}</c> (the staging directory, which after the exchange holds the old tree),
/// <c>….{id}.old</c> (the old tree in the two-rename fallback) and <c>….{id}.lock</c>. The lock file is
/// created and locked before the directories and removed after them, so a save in progress, in this process or
/// another, always holds the lock of every directory it owns; the lock dies with its process. A lock file nobody
/// holds is a leftover and is removed at once: a save that loses the race for its own new lock file (another
/// save's cleanup locked or removed it between its creation and locking) takes a fresh id instead.
/// </summary>
internal sealed class SaveStaging : IDisposable
{
    /// <summary>The start of every hidden entry a save makes.</summary>
    public const string Prefix = ".nerclassify-save.";

    private const string LockSuffix = ".lock";
    private const string RetiredSuffix = ".old";

    // Tries at a fresh id and lock when another save's cleanup wins the race for the new lock file.
    private const int LockAttempts = 3;

    private readonly FileStream _lock;

    private SaveStaging(string parent, string name, string id, FileStream lockFile)
    {
        _lock = lockFile;
        Directory = Path.Combine(parent, $"{Prefix}{name}.{id}");
        Retired = Directory + RetiredSuffix;
    }

    /// <summary>The staging directory.</summary>
    public string Directory { get; }

    /// <summary>Where the two-rename fallback parks the old tree.</summary>
    public string Retired { get; }

    /// <summary>Takes a fresh id and its lock, and creates the empty staging directory.</summary>
    public static SaveStaging Create(string parent, string name)
    {
        string id;
        FileStream lockFile;
        for (int attempt = 1; ; attempt++)
        {
            id = Guid.NewGuid().ToString("N");
            string lockPath = Path.Combine(parent, $"{Prefix}{name}.{id}{LockSuffix}");
            try
            {
                lockFile = OpenLock(lockPath, FileMode.CreateNew);
            }
            catch (IOException) when (attempt < LockAttempts)
            {
                continue; // Most likely created, then locked first by another save's cleanup; a real fault recurs.
            }

            if (File.Exists(lockPath))
            {
                break;
            }

            // Another save's cleanup locked and removed the file before this save locked it: the lock is on a
            // file no other save can see.
            lockFile.Dispose();
            if (attempt == LockAttempts)
            {
                throw new IOException($"Could not take a lock for the save in '{parent}'.");
            }
        }

        var staging = new SaveStaging(parent, name, id, lockFile);
        try
        {
            System.IO.Directory.CreateDirectory(staging.Directory);
            return staging;
        }
        catch
        {
            staging.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes what killed or failed saves of <paramref name="target"/> left in its folder; entries whose lock
    /// another save holds are kept. When the target is missing because a two-rename save died between its
    /// renames, the old tree it parked is put back instead of being removed.
    /// </summary>
    public static void RemoveStale(string target)
    {
        string parent = Path.GetDirectoryName(target)!;
        string start = $"{Prefix}{Path.GetFileName(target)}.";
        if (!System.IO.Directory.Exists(parent))
        {
            return;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (string entry in System.IO.Directory.EnumerateFileSystemEntries(parent, Prefix + "*"))
        {
            string entryName = Path.GetFileName(entry);
            if (!entryName.StartsWith(start, StringComparison.Ordinal))
            {
                continue; // Another target's, or a name that only matched case-insensitively.
            }

            string rest = entryName[start.Length..];
            string id = rest.Split('.')[0];
            bool known = rest == id || rest == id + LockSuffix || rest == id + RetiredSuffix;
            if (known && id.Length == 32 && id.All(char.IsAsciiHexDigitLower))
            {
                ids.Add(id);
            }
        }

        foreach (string id in ids)
        {
            RemoveIfStale(target, Path.Combine(parent, start + id));
        }
    }

    /// <summary>Deletes a directory tree, ignoring one that is already gone.</summary>
    public static void DeleteTree(string path)
    {
        try
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already removed, by this save's own cleanup or a concurrent one.
        }
    }

    /// <summary>Releases and deletes the lock file. Call after the directories are gone.</summary>
    public void Dispose() => _lock.Dispose();

    private static void RemoveIfStale(string target, string staging)
    {
        string lockPath = staging + LockSuffix;
        string retired = staging + RetiredSuffix;
        FileStream? held = null;
        try
        {
            held = OpenLock(lockPath, FileMode.Open);
        }
        catch (FileNotFoundException)
        {
            // Saves delete their directories before their lock, so directories without a lock are leftovers.
        }
        catch (IOException)
        {
            return; // Locked: a save in progress.
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }

        using (held)
        {
            if (System.IO.Directory.Exists(retired) && !System.IO.Directory.Exists(target))
            {
                System.IO.Directory.Move(retired, target);
            }

            DeleteTree(staging);
            DeleteTree(retired);
        }
    }

    // On Unix .NET takes flock(LOCK_EX) for FileShare.None; the kernel drops it when the process dies.
    private static FileStream OpenLock(string path, FileMode mode) =>
        new(path, mode, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
}
