using FluentAssertions;
using NerClassify.Inference;
using NerClassify.Inference.Cpu;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Inference.Cpu;

[Collection(TorchCollection.Name)]
public sealed class NativeHeapSettingsTests
{
    [PlatformFact(LinuxOnly = true)]
    public void ShouldSetThresholds_OnLinuxWithNothingSet_IsTrue()
    {
        NativeHeapSettings.ShouldSetThresholds(_ => null).Should().BeTrue();
    }

    [Theory]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "131072")]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "131072")]
    public void ShouldSetThresholds_UserSetAThreshold_IsFalse(string variable, string value)
    {
        NativeHeapSettings.ShouldSetThresholds(name => name == variable ? value : null).Should().BeFalse();
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("8", false)]
    public void ShouldLimitArenas_DependsOnTheUsersArenaSetting(string? arenaMax, bool expected)
    {
        NativeHeapSettings.ShouldLimitArenas(name => name == "MALLOC_ARENA_MAX" ? arenaMax : null).Should().Be(expected && OperatingSystem.IsLinux());
    }

    [PlatformFact(LinuxOnly = true)]
    public void TorchSharpBackend_WithTuneNativeHeap_TunesTheHeapUnlessTheUserChose()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(addPooler: false), TinyData.TokenLabels);

        using var backend = new TorchSharpBackend(model, new PredictorOptions { TuneNativeHeap = true });

        NativeHeapSettings.ThresholdsSet.Should().Be(NativeHeapSettings.ShouldSetThresholds(Environment.GetEnvironmentVariable));
        NativeHeapSettings.ArenasLimited.Should().Be(NativeHeapSettings.ShouldLimitArenas(Environment.GetEnvironmentVariable));
    }
}
