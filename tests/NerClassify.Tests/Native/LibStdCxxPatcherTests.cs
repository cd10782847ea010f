using FluentAssertions;
using NerClassify.Native;

namespace NerClassify.Tests.Native;

/// <summary>
/// The ELF edit, exercised on a copy of the process's own libstdc++: it needs versions from
/// libc.so.6, so hiding the newest of those from the "available" set recreates TorchSharp's situation.
/// </summary>
public sealed class LibStdCxxPatcherTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nerclassify-elf-").FullName;
    private readonly string _library;
    private readonly VersionRequirement _newest;
    private readonly HashSet<string> _availableWithoutNewest;
    private readonly HashSet<string> _symbolsOfNewest;

    public LibStdCxxPatcherTests()
    {
        string source = LoadedLibraryPaths.Find("libstdc++.so.6") ?? throw new InvalidOperationException("libstdc++ not found");
        _library = Path.Combine(_folder, "libsample.so");
        File.Copy(source, _library);
        string libc = LoadedLibraryPaths.Find("libc.so.6") ?? throw new InvalidOperationException("libc not found");

        ElfFile elf = ElfFile.Read(_library);
        _newest = elf.VersionRequirements()
            .Where(r => r.Library == "libc.so.6")
            .OrderBy(r => r.Version, VersionNameComparer.Instance)
            .Last();
        _availableWithoutNewest = ElfFile.Read(libc).DefinedVersions().Where(v => v != _newest.Version).ToHashSet();
        _symbolsOfNewest = elf.SymbolsUsingVersion(_newest.Index).ToHashSet();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void MakeLoadable_MissingVersionUsedOnlyByUnusedSymbols_MarksThatRequirementWeak()
    {
        NativeCompatibilityReport report = Patch(_symbolsOfNewest);

        report.Outcome.Should().Be(NativeCompatibilityOutcome.PatchedInPlace);
        report.WeakenedVersions.Should().Equal(_newest.Version);
        ElfFile.Read(_library).VersionRequirements()
            .Should().ContainSingle(r => r.Version == _newest.Version).Which.IsWeak.Should().BeTrue();
    }

    [Fact]
    public void MakeLoadable_Patched_ChangesOnlyTheFlagsByte()
    {
        byte[] before = File.ReadAllBytes(_library);

        Patch(_symbolsOfNewest);

        byte[] after = File.ReadAllBytes(_library);
        after.Length.Should().Be(before.Length);
        Enumerable.Range(0, before.Length).Where(i => before[i] != after[i])
            .Should().Equal((int)_newest.FlagsOffset);
    }

    [Fact]
    public void MakeLoadable_CalledTwice_SecondCallLeavesFileAlone()
    {
        Patch(_symbolsOfNewest);
        DateTime written = File.GetLastWriteTimeUtc(_library);

        NativeCompatibilityReport second = Patch(_symbolsOfNewest);

        second.Outcome.Should().Be(NativeCompatibilityOutcome.AlreadyPatched);
        File.GetLastWriteTimeUtc(_library).Should().Be(written);
    }

    [Fact]
    public void MakeLoadable_AllVersionsAvailable_IsNoOp()
    {
        byte[] before = File.ReadAllBytes(_library);
        HashSet<string> all = [.. _availableWithoutNewest, _newest.Version];

        NativeCompatibilityReport report = LibStdCxxPatcher.MakeLoadable(
            _library, "/x/libc.so.6", all, _symbolsOfNewest, useCopy: false, _folder, (_, _) => { });

        report.Outcome.Should().Be(NativeCompatibilityOutcome.NotNeeded);
        File.ReadAllBytes(_library).Should().Equal(before);
    }

    [Fact]
    public void MakeLoadable_MissingVersionUsedBySymbolsThatRun_ThrowsNamingVersionAndSymbol()
    {
        Action act = () => Patch(new HashSet<string>());

        act.Should().Throw<DllNotFoundException>()
            .WithMessage($"*{_newest.Version}*{_symbolsOfNewest.First()}*");
        ElfFile.Read(_library).VersionRequirements().Should().NotContain(r => r.IsWeak && r.Version == _newest.Version);
    }

    [Fact]
    public void MakeLoadable_InsidePackageCache_WritesPatchedCopyAndLeavesOriginal()
    {
        byte[] before = File.ReadAllBytes(_library);
        string copyRoot = Path.Combine(_folder, "copies");
        string? usedCopy = null;

        NativeCompatibilityReport report = LibStdCxxPatcher.MakeLoadable(
            _library, "/x/libc.so.6", _availableWithoutNewest, _symbolsOfNewest, useCopy: true, copyRoot, (_, copy) => usedCopy = copy);

        report.Outcome.Should().Be(NativeCompatibilityOutcome.PatchedCopy);
        File.ReadAllBytes(_library).Should().Equal(before);
        usedCopy.Should().StartWith(copyRoot);
        ElfFile.Read(usedCopy!).VersionRequirements().Single(r => r.Version == _newest.Version).IsWeak.Should().BeTrue();
    }

    [Fact]
    public void Read_NotAnElfFile_ThrowsNamingTheFile()
    {
        string text = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(text, "not a shared object, just some text that is long enough to have a header");

        Action act = () => ElfFile.Read(text);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{text}*");
    }

    private NativeCompatibilityReport Patch(IReadOnlySet<string> unused) =>
        LibStdCxxPatcher.MakeLoadable(_library, "/x/libc.so.6", _availableWithoutNewest, unused, useCopy: false, _folder, (_, _) => { });
}
