using NerClassify.IO;

namespace NerClassify.Native;

/// <summary>Marks unusable libstdc++ version requirements of a shared object as weak.</summary>
internal static class LibStdCxxPatcher
{
    /// <summary>
    /// Compares what <paramref name="library"/> needs from libstdc++ with what <paramref name="cxxLibrary"/>
    /// defines, and marks missing versions weak when only <paramref name="unusedSymbols"/> use them.
    /// </summary>
    /// <param name="library">The shared object to check.</param>
    /// <param name="cxxLibrary">The libstdc++ the process loads.</param>
    /// <param name="available">The versions <paramref name="cxxLibrary"/> defines.</param>
    /// <param name="unusedSymbols">Symbols known never to be called.</param>
    /// <param name="useCopy">Write a patched copy under <paramref name="copyRoot"/> instead of editing in place.</param>
    /// <param name="copyRoot">Where patched copies go.</param>
    /// <param name="useCopyAt">Called with (original folder, patched copy) when a copy was made.</param>
    public static NativeCompatibilityReport MakeLoadable(
        string library,
        string cxxLibrary,
        IReadOnlySet<string> available,
        IReadOnlySet<string> unusedSymbols,
        bool useCopy,
        string copyRoot,
        Action<string, string> useCopyAt)
    {
        ElfFile elf = ElfFile.Read(library);
        VersionRequirement[] missing = elf.VersionRequirements()
            .Where(r => r.Library == Path.GetFileName(cxxLibrary) && !available.Contains(r.Version))
            .ToArray();

        VersionRequirement[] toWeaken = missing.Where(r => !r.IsWeak).ToArray();
        if (missing.Length == 0)
        {
            return new NativeCompatibilityReport(NativeCompatibilityOutcome.NotNeeded, library, cxxLibrary, []);
        }

        foreach (VersionRequirement requirement in toWeaken)
        {
            string[] used = elf.SymbolsUsingVersion(requirement.Index).Where(s => !unusedSymbols.Contains(s)).ToArray();
            if (used.Length > 0)
            {
                string newest = available.Where(v => v.StartsWith("GLIBCXX_", StringComparison.Ordinal)).Order(VersionNameComparer.Instance).LastOrDefault() ?? "none";
                throw new DllNotFoundException(
                    $"'{library}' needs {requirement.Version} from {requirement.Library} for {string.Join(", ", used.Take(5))}, " +
                    $"but '{cxxLibrary}' stops at {newest}. Install a newer GNU C++ runtime (GCC 13 or later: " +
                    "on Ubuntu 22.04 the ubuntu-toolchain-r PPA's libstdc++6, on Debian 12 the one from trixie) " +
                    "or run on a newer distribution.");
            }
        }

        string[] weakened = missing.Select(r => r.Version).ToArray();
        if (toWeaken.Length == 0 && !useCopy)
        {
            return new NativeCompatibilityReport(NativeCompatibilityOutcome.AlreadyPatched, library, cxxLibrary, weakened);
        }

        byte[] patched = elf.WithWeakRequirements(toWeaken);

        if (!useCopy)
        {
            AtomicFile.WriteAllBytes(library, patched, ModeOf(library));
            return new NativeCompatibilityReport(NativeCompatibilityOutcome.PatchedInPlace, library, cxxLibrary, weakened);
        }

        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(patched))[..16];
        string copy = Path.Combine(copyRoot, hash, Path.GetFileName(library));
        if (!File.Exists(copy))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            AtomicFile.WriteAllBytes(copy, patched, ModeOf(library));
        }

        useCopyAt(Path.GetDirectoryName(library)!, copy);
        return new NativeCompatibilityReport(NativeCompatibilityOutcome.PatchedCopy, copy, cxxLibrary, weakened);
    }

    private static UnixFileMode? ModeOf(string path) => OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(path);
}
