using System.Runtime.CompilerServices;

namespace NerClassify.Tests.TestSupport;

/// <summary>Finds the repository root and the shared data folder next to it.</summary>
public static class TestPaths
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The repository root, or null when it cannot be found.</summary>
    public static string? RepositoryRoot => Root.Value;

    /// <summary>The shared data folder (<c>../shared/data</c> from the repository root), or null when absent.</summary>
    public static string? DataDirectory
    {
        get
        {
            if (RepositoryRoot is null)
            {
                return null;
            }

            string path = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));
            return Directory.Exists(path) ? path : null;
        }
    }

    /// <summary>A file under the shared data folder, or null when it is absent.</summary>
    public static string? DataFile(params string[] parts)
    {
        if (DataDirectory is null)
        {
            return null;
        }

        string path = Path.Combine([DataDirectory, .. parts]);
        return File.Exists(path) ? path : null;
    }

    private static string? FindRoot() => WalkUp(AppContext.BaseDirectory) ?? WalkUp(Path.GetDirectoryName(ThisFile()));

    private static string? WalkUp(string? start)
    {
        for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NerClassify.Library.sln"))
                || Directory.Exists(Path.Combine(dir.FullName, "src", "NerClassify")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    // Builds outside the repository (scratch projects that compile these files) still find it from the source path.
    private static string ThisFile([CallerFilePath] string path = "") => path;
}
