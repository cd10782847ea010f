namespace NerClassify.IO;

/// <summary>Replaces a whole directory so that readers see the old one or the new one, never a mixture.</summary>
internal static class AtomicDirectory
{
    /// <summary>
    /// Lets <paramref name="write"/> fill a fresh sibling directory, then swaps it in for
    /// <paramref name="target"/>. If <paramref name="write"/> throws, the old directory is untouched.
    /// </summary>
    public static void Replace(string target, Action<string> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar);
        string parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{target}' has no parent directory.", nameof(target));
        Directory.CreateDirectory(parent);
        string name = Path.GetFileName(full);
        string staging = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.new");
        string retired = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.old");

        Directory.CreateDirectory(staging);
        try
        {
            write(staging);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }

        if (Directory.Exists(full))
        {
            // Two renames: between them the target is briefly absent, but never half-written.
            Directory.Move(full, retired);
            Directory.Move(staging, full);
            Directory.Delete(retired, recursive: true);
        }
        else
        {
            Directory.Move(staging, full);
        }
    }
}
