namespace NerClassify.Native;

/// <summary>One symbol version an ELF object needs from one library (an <c>Elf64_Vernaux</c> entry).</summary>
/// <param name="Library">The library file name, such as <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, such as <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Flags">The entry's <c>vna_flags</c>; <see cref="WeakFlag"/> marks an optional version.</param>
/// <param name="Index">The version index that <c>.gnu.version</c> uses for symbols of this version.</param>
/// <param name="FlagsOffset">The file offset of <c>vna_flags</c>.</param>
internal sealed record VersionRequirement(string Library, string Version, ushort Flags, ushort Index, long FlagsOffset)
{
    /// <summary><c>VER_FLG_WEAK</c>: the dynamic loader does not fail when the version is absent.</summary>
    public const ushort WeakFlag = 2;

    /// <summary>Whether the loader treats this requirement as optional.</summary>
    public bool IsWeak => (Flags & WeakFlag) != 0;
}
