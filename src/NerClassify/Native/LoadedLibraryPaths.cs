namespace NerClassify.Native;

/// <summary>Finds which copy of a shared library the current process uses (Linux).</summary>
internal static class LoadedLibraryPaths
{
    private static readonly string[] StandardFolders =
    [
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/usr/lib64", "/lib64", "/usr/lib", "/lib",
    ];

    /// <summary>
    /// The path of <paramref name="fileName"/> as mapped into this process (the .NET host already
    /// loads libstdc++), else the first match in the standard library folders, else null.
    /// </summary>
    public static string? Find(string fileName)
    {
        const string maps = "/proc/self/maps";
        if (File.Exists(maps))
        {
            foreach (string line in File.ReadLines(maps))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.EndsWith("/" + fileName, StringComparison.Ordinal))
                {
                    return line[slash..];
                }
            }
        }

        return StandardFolders.Select(folder => Path.Combine(folder, fileName)).FirstOrDefault(File.Exists);
    }
}
