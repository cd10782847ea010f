using FluentAssertions;
using NerClassify.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Tests.Foundation;

public sealed class TorchSharpSmokeTests
{
    public TorchSharpSmokeTests() => TorchSharpNativeCompatibility.EnsureLoadable();

    [Fact]
    public void MatMul_TwoByTwo_GivesTheProduct()
    {
        using var scope = NewDisposeScope();
        Tensor a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        Tensor b = tensor(new float[] { 5, 6, 7, 8 }).reshape(2, 2);

        float[] product = a.matmul(b).data<float>().ToArray();

        product.Should().Equal(19, 22, 43, 50);
    }

    [Fact]
    public void Backward_SumOfSquares_GivesTwiceTheInput()
    {
        using var scope = NewDisposeScope();
        Tensor x = tensor(new float[] { 1, -2, 3 }, requires_grad: true);

        x.pow(2).sum().backward();

        x.grad!.data<float>().ToArray().Should().Equal(2, -4, 6);
    }
}
