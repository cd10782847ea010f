using FluentAssertions;
using NerClassify.Native;

namespace NerClassify.Tests.Native;

public sealed class TorchSharpNativeCompatibilityTests
{
    [Fact]
    public void EnsureLoadable_OnThisMachine_LeavesNoRequirementTheSystemCannotMeet()
    {
        NativeCompatibilityReport report = TorchSharpNativeCompatibility.Inspect();

        if (!OperatingSystem.IsLinux())
        {
            report.Outcome.Should().Be(NativeCompatibilityOutcome.NotApplicable);
            return;
        }

        IReadOnlySet<string> available = ElfFile.Read(report.CxxLibrary!).DefinedVersions();
        ElfFile.Read(report.TorchSharpLibrary!).VersionRequirements()
            .Where(r => r.Library == "libstdc++.so.6" && !available.Contains(r.Version))
            .Should().OnlyContain(r => r.IsWeak);
    }

    [Fact]
    public void EnsureLoadable_CalledAgain_ReturnsTheSameReport()
    {
        TorchSharpNativeCompatibility.Inspect().Should().BeSameAs(TorchSharpNativeCompatibility.Inspect());
    }
}
