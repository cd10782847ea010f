using FluentAssertions;
using NerClassify.Inference.Cpu;
using static TorchSharp.torch;

namespace NerClassify.Tests.Inference.Cpu;

public sealed class PathChooserTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void UseKernels_FirstBatchOfAShape_PicksTheFasterForward(bool kernelsFaster)
    {
        var chooser = new PathChooser();

        bool useKernels = chooser.UseKernels(4, 32, () => Forward(slow: !kernelsFaster), () => Forward(slow: kernelsFaster));

        useKernels.Should().Be(kernelsFaster);
    }

    [Fact]
    public void UseKernels_SameShapeClassAgain_KeepsTheDecisionWithoutMeasuring()
    {
        var chooser = new PathChooser();
        chooser.UseKernels(4, 30, () => Forward(slow: false), () => Forward(slow: true));
        int calls = 0;

        bool again = chooser.UseKernels(3, 32, () => { calls++; return Forward(slow: true); }, () => { calls++; return Forward(slow: false); });

        again.Should().BeTrue("4 x 30 and 3 x 32 are both 128 rows of at most 32 tokens");
        calls.Should().Be(0);
        chooser.Decisions.Should().ContainSingle().Which.Key.Should().Be((128, 32));
    }

    [Fact]
    public void UseKernels_AnotherShapeClass_MeasuresAgain()
    {
        var chooser = new PathChooser();
        chooser.UseKernels(1, 32, () => Forward(slow: false), () => Forward(slow: true));

        bool longer = chooser.UseKernels(1, 128, () => Forward(slow: true), () => Forward(slow: false));

        longer.Should().BeFalse();
        chooser.Decisions.Should().HaveCount(2);
    }

    private static Tensor Forward(bool slow)
    {
        if (slow)
        {
            Thread.Sleep(15);
        }

        return zeros(1);
    }
}
