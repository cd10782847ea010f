using FluentAssertions;
using NerClassify.Encoders.Bert;
using NerClassify.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Tests.Encoders;

[Collection(TorchCollection.Name)]
public sealed class NativeHeapSettingsTests
{
    [PlatformFact(LinuxOnly = true)]
    public void ShouldApply_OnLinuxWithNothingSet_IsTrue()
    {
        NativeHeapSettings.ShouldApply(_ => null).Should().BeTrue();
    }

    [Theory]
    [InlineData("NERCLASSIFY_HEAP_TUNING", "0")]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "131072")]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "131072")]
    public void ShouldApply_SwitchedOffOrTheUserChoseAThreshold_IsFalse(string variable, string value)
    {
        NativeHeapSettings.ShouldApply(name => name == variable ? value : null).Should().BeFalse();
    }

    [Fact]
    public void ShouldApply_TuningSetToAnythingButZero_StillApplies()
    {
        NativeHeapSettings.ShouldApply(name => name == "NERCLASSIFY_HEAP_TUNING" ? "1" : null)
            .Should().Be(OperatingSystem.IsLinux());
    }

    [Theory]
    [InlineData("NERCLASSIFY_HEAP_TUNING", "0", false)]
    [InlineData("MALLOC_ARENA_MAX", "8", false)]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "131072", true)]
    public void ShouldLimitArenas_SwitchedOffOrTheUserChoseACount_IsFalse(string variable, string value, bool expected)
    {
        NativeHeapSettings.ShouldLimitArenas(name => name == variable ? value : null).Should().Be(expected && OperatingSystem.IsLinux());
    }

    [PlatformFact(LinuxOnly = true)]
    public void LimitArenasOnce_AfterTheAssemblyLoaded_HasCappedTheArenasUnlessTheUserChose()
    {
        // The module initializer ran when this test first touched a NerClassify type.
        NativeHeapSettings.LimitArenasOnce();

        NativeHeapSettings.ArenasLimited.Should().Be(NativeHeapSettings.ShouldLimitArenas(Environment.GetEnvironmentVariable));
    }

    [PlatformFact(LinuxOnly = true)]
    public void BeginForward_WhereTheKernelsRun_HasSetTheThresholds()
    {
        using var noGrad = no_grad();
        using (ProjectionKernel.BeginForward(DeviceType.CPU, ScalarType.Float32))
        {
        }

        bool userChoseThresholds = !NativeHeapSettings.ShouldApply(Environment.GetEnvironmentVariable);
        if (userChoseThresholds)
        {
            NativeHeapSettings.Applied.Should().BeFalse("the user's own thresholds are left alone");
        }
        else if (ProjectionKernel.Enabled && LibTorchThreadLimit.IsAvailable)
        {
            NativeHeapSettings.Applied.Should().BeTrue("glibc's mallopt takes both thresholds");
        }
    }
}
