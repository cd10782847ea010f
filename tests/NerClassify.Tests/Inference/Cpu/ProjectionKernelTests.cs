using FluentAssertions;
using NerClassify.Encoders.Bert;
using NerClassify.Tests.TestSupport;
using System.Runtime.Intrinsics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Tests.Encoders;

[Collection(TorchCollection.Name)]
public sealed class ProjectionKernelTests
{
    [Theory]
    [InlineData(1, 32, 384, 1536)] // one MiniLM sentence: eight blocks of four rows
    [InlineData(3, 7, 32, 8)] // 21 rows: five blocks of four and one row alone
    [InlineData(2, 41, 384, 1152)] // above the threshold: split between threads, with a remainder row
    [InlineData(4, 41, 384, 1536)] // 164 rows: dot products, split between threads
    [InlineData(1, 100, 1536, 384)] // 100 rows of 1,536 inputs: two chunks of input rows, each swept over the weights
    [InlineData(4, 67, 384, 1536)] // 268 rows: packed panels of 32 outputs, eight rows at a time, four rows alone
    public void TryProject_InsideAForwardPass_MatchesLibTorchLinear(int batch, int tokens, int inFeatures, int outFeatures)
    {
        manual_seed(3);
        using var scope = NewDisposeScope();
        using Linear layer = Linear(inFeatures, outFeatures);
        Tensor input = randn(batch, tokens, inFeatures);
        using var noGrad = no_grad();
        Tensor expected = layer.forward(input);

        using var forward = ProjectionKernel.BeginForward(DeviceType.CPU, ScalarType.Float32);
        Tensor? actual = ProjectionKernel.TryProject(input, [layer]);

        if (!ProjectionKernel.IsSupported)
        {
            actual.Should().BeNull("without 512-bit vectors the modules use LibTorch");
            return;
        }

        actual!.shape.Should().Equal(expected.shape);
        actual.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void TryProject_SeveralLayers_PutsTheirOutputsSideBySideAndAddsOnlyTheBiasesThatExist()
    {
        manual_seed(4);
        using var scope = NewDisposeScope();
        using Linear query = Linear(64, 32);
        using Linear key = Linear(64, 32, hasBias: false);
        using Linear value = Linear(64, 32);
        Tensor input = randn(5, 64);
        using var noGrad = no_grad();
        Tensor expected = cat([query.forward(input), key.forward(input), value.forward(input)], -1);

        Tensor? actual = ProjectionKernel.TryProject(input, [query, key, value]);

        if (!ProjectionKernel.IsSupported)
        {
            actual.Should().BeNull();
            return;
        }

        actual!.shape.Should().Equal(5, 96);
        actual.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Theory]
    [InlineData(32)] // dot products
    [InlineData(268)] // packed panels
    public void TryProject_WithGelu_MatchesLibTorchsLinearThenExactGelu(int rows)
    {
        manual_seed(7);
        using var scope = NewDisposeScope();
        using Linear layer = Linear(384, 1536);
        Tensor input = randn(1, rows, 384);
        using var noGrad = no_grad();
        Tensor expected = functional.gelu(layer.forward(input));

        Tensor? actual = ProjectionKernel.TryProject(input, [layer], gelu: true);

        if (!ProjectionKernel.IsSupported)
        {
            actual.Should().BeNull();
            return;
        }

        actual!.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void Gelu_FromMinus10To10_MatchesLibTorchsErfGeluWithinTwoFloatStepsAt10()
    {
        using var scope = NewDisposeScope();
        Tensor x = linspace(-10, 10, 4000, dtype: ScalarType.Float32);
        float[] values = x.data<float>().ToArray();
        float[] expected = functional.gelu(x).data<float>().ToArray();

        float largest = 0;
        for (int i = 0; i < values.Length; i += 16)
        {
            Vector512<float> actual = KernelMath.Gelu(Vector512.Create(values, i));
            for (int lane = 0; lane < 16; lane++)
            {
                largest = Math.Max(largest, Math.Abs(actual[lane] - expected[i + lane]));
            }
        }

        largest.Should().BeLessThan(2e-6f); // a float step at 10 is 9.5e-7
    }

    [Fact]
    public void Gelu_HugeInputsAndNaN_MatchLibTorch()
    {
        using var scope = NewDisposeScope();
        float[] values = [-3e38f, -1e30f, -1e6f, -100f, -50f, -12f, -8.5f, 8.5f, 12f, 50f, 100f, 1e6f, 1e30f, float.NaN, 0f, -0f];
        float[] expected = functional.gelu(tensor(values)).data<float>().ToArray();

        Vector512<float> actual = KernelMath.Gelu(Vector512.Create(values));

        for (int lane = 0; lane < 16; lane++)
        {
            if (float.IsNaN(expected[lane]))
            {
                actual[lane].Should().Be(float.NaN);
            }
            else
            {
                Math.Abs(actual[lane] - expected[lane]).Should().BeLessThan(1e-6f, $"GELU({values[lane]}) is {expected[lane]}");
            }
        }
    }

    [Fact]
    public void Exp_FromMinus87To88_IsWithinAFewFloatStepsOfMathExp()
    {
        float largest = 0;
        for (float start = -87f; start < 88f; start += 0.37f)
        {
            Vector512<float> x = Vector512.Create(start) + Vector512.Create(0f, 0.02f, 0.04f, 0.06f, 0.08f, 0.1f, 0.12f, 0.14f, 0.16f, 0.18f, 0.2f, 0.22f, 0.24f, 0.26f, 0.28f, 0.3f);
            Vector512<float> actual = KernelMath.Exp(x);
            for (int lane = 0; lane < 16; lane++)
            {
                double expected = Math.Exp(x[lane]);
                largest = Math.Max(largest, (float)Math.Abs((actual[lane] - expected) / expected));
            }
        }

        largest.Should().BeLessThan(5e-7f);
    }

    [Theory]
    [InlineData(1, 32, 12, 32, false)] // one MiniLM sentence: four blocks of eight query rows
    [InlineData(3, 9, 4, 16, true)] // padded keys, a length that is not a multiple of 16; one block and one row alone
    [InlineData(2, 5, 2, 16, true)] // fewer rows than a block
    [InlineData(2, 45, 4, 64, true)] // five blocks and five rows alone, three key vectors, four value vectors
    [InlineData(4, 40, 12, 32, true)] // above the threshold: split between threads
    public void TryAttend_InsideAForwardPass_MatchesLibTorchAttention(int batch, int tokens, int heads, int headSize, bool padded)
    {
        manual_seed(8);
        using var scope = NewDisposeScope();
        Tensor projected = randn(batch, tokens, 3 * heads * headSize);
        Tensor? mask = null;
        if (padded)
        {
            Tensor attention = ones(batch, tokens, dtype: ScalarType.Int64);
            attention[0, (tokens - 3)..] = tensor(0L);
            mask = BertEncoder.AdditiveMask(attention, ScalarType.Float32);
        }

        using var noGrad = no_grad();
        Tensor split = projected.view(batch, tokens, 3, heads, headSize).permute(2, 0, 3, 1, 4);
        Tensor expected = functional.scaled_dot_product_attention(split[0], split[1], split[2], mask)
            .transpose(1, 2).reshape(batch, tokens, heads * headSize);

        using var forward = ProjectionKernel.BeginForward(DeviceType.CPU, ScalarType.Float32);
        Tensor? actual = AttentionKernel.TryAttend(projected, mask, heads, headSize);

        if (ProjectionKernel.ThreadsOfThisForward == 0)
        {
            actual.Should().BeNull("outside a kernel forward pass the module runs LibTorch's attention");
            return;
        }

        actual!.shape.Should().Equal(expected.shape);
        actual.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Theory]
    [InlineData(1, 5, 32)]
    [InlineData(4, 50, 384)] // above the threshold: rows split between threads
    public void TryAddAndNormalize_InsideAForwardPass_MatchesLibTorchsAddThenLayerNorm(int batch, int tokens, int width)
    {
        manual_seed(9);
        using var scope = NewDisposeScope();
        using LayerNorm norm = LayerNorm(width, 1e-12);
        using (no_grad())
        {
            norm.weight!.uniform_(0.5, 1.5);
            norm.bias!.uniform_(-0.5, 0.5);
        }

        Tensor x = randn(batch, tokens, width) * 3;
        Tensor residual = randn(batch, tokens, width);
        using var noGrad = no_grad();
        Tensor expected = norm.forward(x + residual);

        using var forward = ProjectionKernel.BeginForward(DeviceType.CPU, ScalarType.Float32);
        Tensor? actual = LayerNormKernel.TryAddAndNormalize(x, residual, norm, 1e-12);

        if (ProjectionKernel.ThreadsOfThisForward == 0)
        {
            actual.Should().BeNull();
            return;
        }

        actual!.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void TryAttend_OutsideAForwardPass_LeavesAttentionToLibTorch()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        AttentionKernel.TryAttend(randn(1, 8, 3 * 32), null, 2, 16).Should().BeNull();
    }

    [Fact]
    public void TryProject_WhileGradientsAreRecorded_LeavesTheProjectionToLibTorch()
    {
        using var scope = NewDisposeScope();
        using Linear layer = Linear(32, 8);

        ProjectionKernel.TryProject(randn(2, 32), [layer]).Should().BeNull("training must backpropagate through LibTorch's linear");
    }

    [Fact]
    public void TryProject_WidthNotAMultipleOf16_LeavesTheProjectionToLibTorch()
    {
        using var scope = NewDisposeScope();
        using Linear layer = Linear(37, 8);
        using var noGrad = no_grad();

        ProjectionKernel.TryProject(randn(2, 37), [layer]).Should().BeNull();
    }

    [Fact]
    public void TryProject_ConcurrentForwardPasses_EachGetsItsOwnResult()
    {
        manual_seed(5);
        using Linear layer = Linear(384, 1536);
        Tensor[] inputs = Enumerable.Range(0, 4).Select(_ => randn(48, 384)).ToArray();
        Tensor[] expected;
        using (no_grad())
        {
            expected = inputs.Select(input => layer.forward(input)).ToArray();
        }

        float[] differences = new float[inputs.Length];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = inputs.Length }, i =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var forward = ProjectionKernel.BeginForward(DeviceType.CPU, ScalarType.Float32);
            for (int repeat = 0; repeat < 20; repeat++)
            {
                Tensor actual = ProjectionKernel.TryProject(inputs[i], [layer]) ?? layer.forward(inputs[i]);
                differences[i] = Math.Max(differences[i], actual.sub(expected[i]).abs().max().item<float>());
            }
        });

        differences.Should().OnlyContain(difference => difference < 1e-4f);
        foreach (Tensor tensor in inputs.Concat(expected))
        {
            tensor.Dispose();
        }
    }

    [PlatformFact(LinuxOnly = true)]
    public void BeginForward_LimitsLibTorchToOneThreadOnThisThreadOnly_AndRestoresIt()
    {
        int before = get_num_threads();
        using var noGrad = no_grad();

        int inside;
        using (ProjectionKernel.BeginForward(DeviceType.CPU, ScalarType.Float32))
        {
            inside = get_num_threads();
        }

        get_num_threads().Should().Be(before);
        inside.Should().Be(ProjectionKernel.IsSupported && LibTorchThreadLimit.IsAvailable ? 1 : before);
    }

    [Fact]
    public void Encode_InferenceWithTheKernel_MatchesTheLibTorchForwardUsedInTraining()
    {
        var config = new BertConfig
        {
            VocabSize = 99,
            HiddenSize = 64,
            NumHiddenLayers = 2,
            NumAttentionHeads = 4,
            IntermediateSize = 128,
            MaxPositionEmbeddings = 64,
        };
        manual_seed(6);
        using var encoder = new BertEncoder(config);
        encoder.eval();
        using var scope = NewDisposeScope();
        Tensor ids = randint(5, 99, [3, 20], dtype: ScalarType.Int64);
        Tensor mask = ones_like(ids);
        mask[0, 15..] = tensor(0L);

        Tensor recorded = encoder.Encode(ids, mask).LastHiddenState.detach();
        Tensor inference;
        using (inference_mode())
        {
            inference = encoder.Encode(ids, mask).LastHiddenState.clone();
        }

        inference.sub(recorded).abs().max().item<float>().Should().BeLessThan(1e-4f);
    }
}
