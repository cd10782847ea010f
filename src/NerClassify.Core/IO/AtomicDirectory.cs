namespace NerClassify.IO;

/// <summary>
/// Saves a set of files into a directory so that the directory's path holds, at every instant, either the old
/// complete tree or the new complete one; files the save does not write are kept, as Hugging Face's
/// <c>save_pretrained</c> keeps them. The guarantees, and the weaker ones of the fallback, are in docs/model-format.md.
/// </summary>
internal static class AtomicDirectory
{
    /// <summary>
    /// Lets <paramref name="write"/> fill a staging directory beside <paramref name="target"/>, carries every other
    /// entry of the target over into it (hard links where possible), flushes it to disk, then swaps it in.
    /// If <paramref name="write"/> throws or the process dies, the target is untouched; the next save removes
    /// the staging directory.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The target or its folder is not writable; the message names the target.</exception>
    /// <exception cref="IOException">A file system operation failed; the message names the target.</exception>
    public static void Replace(string target, Action<string> write) => Replace(target, write, allowExchange: true);

    /// <summary>
    /// As <see cref="Replace(string, Action{string})"/>; <paramref name="allowExchange"/> false forces the two-rename
    /// fallback used where the atomic exchange is unavailable (tests).
    /// </summary>
    internal static void Replace(string target, Action<string> write, bool allowExchange)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        ArgumentNullException.ThrowIfNull(write);
        string full = Resolve(target);
        string parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{target}' has no parent directory.", nameof(target));

        SaveStaging staging = Guard(full, () =>
        {
            if (File.Exists(full))
            {
                throw new IOException("it is a file, not a directory.");
            }

            if (Directory.Exists(full) && !UnixFileSystem.IsWritable(full))
            {
                throw new UnauthorizedAccessException("the directory is not writable.");
            }

            Directory.CreateDirectory(parent);
            RemoveStaleQuietly(full);
            return SaveStaging.Create(parent, Path.GetFileName(full));
        });

        using (staging)
        {
            try
            {
                write(staging.Directory);
            }
            catch
            {
                Recover(full, staging);
                throw;
            }

            try
            {
                Guard(full, () => Commit(full, staging, allowExchange));
            }
            catch
            {
                Recover(full, staging);
                throw;
            }
        }
    }

    /// <summary>After a failed commit: the old tree back at the target if the fallback had moved it away, then no staging left.</summary>
    private static void Recover(string full, SaveStaging staging)
    {
        try
        {
            if (!Directory.Exists(full) && Directory.Exists(staging.Retired))
            {
                Directory.Move(staging.Retired, full);
            }

            SaveStaging.DeleteTree(staging.Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original error is the one to report; the next save removes or restores what is left.
        }
    }

    private static void Commit(string full, SaveStaging staging, bool allowExchange)
    {
        if (Directory.Exists(full))
        {
            CarryOver(full, staging.Directory);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(staging.Directory, File.GetUnixFileMode(full));
            }
        }

        FlushTree(staging.Directory);

        string? old = null;
        if (!Directory.Exists(full))
        {
            Directory.Move(staging.Directory, full);
        }
        else if (allowExchange && UnixFileSystem.TryExchange(staging.Directory, full))
        {
            old = staging.Directory;
        }
        else
        {
            // Fallback: between these renames the target is missing. A save killed there leaves the old tree at
            // staging.Retired, and the next save puts it back (SaveStaging.RemoveStale).
            Directory.Move(full, staging.Retired);
            Directory.Move(staging.Directory, full);
            old = staging.Retired;
        }

        UnixFileSystem.Flush(Path.GetDirectoryName(full)!, isDirectory: true);
        if (old is null)
        {
            return;
        }

        // Entries created in the target while this save ran are only in the old tree: move them over.
        try
        {
            CarryOver(old, full, move: true);
            SaveStaging.DeleteTree(old);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The new tree is in place; the old one stays behind, and the next save removes it.
        }
    }

    /// <summary>
    /// Adds to <paramref name="destination"/> each entry of <paramref name="source"/> that it lacks, recursively:
    /// files are hard-linked (copied where links are unavailable) or, with <paramref name="move"/>, renamed;
    /// symbolic links are recreated. An entry the destination already has, of any kind, wins.
    /// </summary>
    private static void CarryOver(string source, string destination, bool move = false)
    {
        foreach (FileSystemInfo entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            string to = Path.Combine(destination, entry.Name);
            bool taken = Path.Exists(to) || new FileInfo(to).LinkTarget is not null;
            if (entry is DirectoryInfo && entry.LinkTarget is null && (!taken || Directory.Exists(to)))
            {
                if (!taken && move)
                {
                    Directory.Move(entry.FullName, to);
                    continue;
                }

                if (!taken)
                {
                    Directory.CreateDirectory(to);
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(to, entry.UnixFileMode);
                    }
                }

                CarryOver(entry.FullName, to, move);
            }
            else if (!taken)
            {
                Bring(entry, to, move);
            }
        }
    }

    private static void Bring(FileSystemInfo entry, string to, bool move)
    {
        if (move)
        {
            File.Move(entry.FullName, to);
        }
        else if (entry.LinkTarget is { } linkTarget)
        {
            if (entry is DirectoryInfo)
            {
                Directory.CreateSymbolicLink(to, linkTarget);
            }
            else
            {
                File.CreateSymbolicLink(to, linkTarget);
            }
        }
        else if (!UnixFileSystem.TryHardLink(entry.FullName, to))
        {
            File.Copy(entry.FullName, to);
        }
    }

    private static void FlushTree(string directory)
    {
        foreach (FileSystemInfo entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            if (entry is DirectoryInfo)
            {
                FlushTree(entry.FullName);
            }
            else
            {
                UnixFileSystem.Flush(entry.FullName, isDirectory: false);
            }
        }

        UnixFileSystem.Flush(directory, isDirectory: true);
    }

    private static void RemoveStaleQuietly(string full)
    {
        try
        {
            SaveStaging.RemoveStale(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover that cannot be removed now does not stop this save; a later one retries.
        }
    }

    /// <summary>The absolute target without a trailing separator; a symbolic link is followed, so the save lands where it points.</summary>
    private static string Resolve(string target)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        if (!Directory.Exists(full))
        {
            return full;
        }

        FileSystemInfo? linked = new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true);
        return linked is null ? full : Path.TrimEndingDirectorySeparator(linked.FullName);
    }

    /// <summary>Runs a file system step of a save of <paramref name="full"/>, naming the target in its errors.</summary>
    private static T Guard<T>(string full, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"Cannot save to '{full}': {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new IOException($"Cannot save to '{full}': {e.Message}", e);
        }
    }

    private static void Guard(string full, Action step) => Guard(full, () =>
    {
        step();
        return true;
    });
}
