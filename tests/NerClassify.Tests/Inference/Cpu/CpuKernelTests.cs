using System.Runtime.Intrinsics;
using FluentAssertions;
using NerClassify.Encoders.Bert;
using NerClassify.Inference.Cpu;
using NerClassify.Tests.TestSupport;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Tests.Inference.Cpu;

/// <summary>
/// Every CPU kernel against the LibTorch operator it replaces, on each vector path: the paths this CPU (and the runtime's
/// switches, such as <c>DOTNET_EnableAVX512=0</c>) cannot run are skipped, with the reason. CI runs this category three
/// times: as is, with <c>DOTNET_EnableAVX512=0</c> and with <c>DOTNET_EnableHWIntrinsic=0</c>.
/// </summary>
[Collection(TorchCollection.Name)]
[Trait("Category", "CpuKernels")]
public sealed class CpuKernelTests
{
    public static TheoryData<string> Paths => new(Enum.GetNames<VectorPath>());

    public static TheoryData<string, int, int, int, int> ProjectionShapes()
    {
        var data = new TheoryData<string, int, int, int, int>();
        foreach (string path in Enum.GetNames<VectorPath>())
        {
            data.Add(path, 1, 32, 384, 1536); // one MiniLM sentence: blocks of rows by four weight rows
            data.Add(path, 3, 7, 32, 8); // 21 rows: blocks and one row alone
            data.Add(path, 2, 41, 384, 1152); // above the threshold: split between threads, with a remainder row
            data.Add(path, 1, 100, 1536, 384); // 100 rows of 1,536 inputs: two chunks of input rows, each swept over the weights
            data.Add(path, 4, 67, 384, 1536); // 268 rows: packed panels, several rows a step, rows left over
        }

        return data;
    }

    public static TheoryData<string, int, int, int, int, bool> AttentionShapes()
    {
        var data = new TheoryData<string, int, int, int, int, bool>();
        foreach (string path in Enum.GetNames<VectorPath>())
        {
            data.Add(path, 1, 32, 12, 32, false); // one MiniLM sentence: four blocks of eight query rows
            data.Add(path, 3, 9, 4, 16, true); // padded keys, a length that is not a multiple of 16; one block and one row alone
            data.Add(path, 2, 5, 2, 16, true); // fewer rows than a block
            data.Add(path, 2, 45, 4, 64, true); // five blocks and five rows alone, several key and value vectors
            data.Add(path, 4, 40, 12, 32, true); // above the threshold: split between threads
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(ProjectionShapes))]
    public void TryProject_OnEachPath_MatchesLibTorchLinear(string path, int batch, int tokens, int inFeatures, int outFeatures)
    {
        KernelContext kernel = Runnable(path);
        manual_seed(3);
        using var scope = NewDisposeScope();
        using Linear layer = Linear(inFeatures, outFeatures);
        Tensor input = randn(batch, tokens, inFeatures);
        using var noGrad = no_grad();
        Tensor expected = layer.forward(input);

        Tensor? actual = ProjectionKernel.TryProject(kernel, input, [layer.weight!], [layer.bias]);

        actual.Should().NotBeNull();
        actual!.shape.Should().Equal(expected.shape);
        actual.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-4f);
    }

    [SkippableTheory]
    [MemberData(nameof(Paths))]
    public void TryProject_SeveralLayers_PutsTheirOutputsSideBySideAndAddsOnlyTheBiasesThatExist(string path)
    {
        KernelContext kernel = Runnable(path);
        manual_seed(4);
        using var scope = NewDisposeScope();
        using Linear query = Linear(64, 32);
        using Linear key = Linear(64, 32, hasBias: false);
        using Linear value = Linear(64, 32);
        Tensor input = randn(5, 64);
        using var noGrad = no_grad();
        Tensor expected = cat([query.forward(input), key.forward(input), value.forward(input)], -1);

        Tensor? actual = ProjectionKernel.TryProject(kernel, input, [query.weight!, key.weight!, value.weight!], [query.bias, null, value.bias]);

        actual!.shape.Should().Equal(5, 96);
        actual.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [SkippableTheory]
    [MemberData(nameof(PathsAndGeluRows))]
    public void TryProject_WithGelu_MatchesLibTorchsLinearThenExactGelu(string path, int rows)
    {
        KernelContext kernel = Runnable(path);
        manual_seed(7);
        using var scope = NewDisposeScope();
        using Linear layer = Linear(384, 1536);
        Tensor input = randn(1, rows, 384);
        using var noGrad = no_grad();
        Tensor expected = functional.gelu(layer.forward(input));

        Tensor? actual = ProjectionKernel.TryProject(kernel, input, [layer.weight!], [layer.bias], gelu: true);

        actual!.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-4f);
    }

    public static TheoryData<string, int> PathsAndGeluRows()
    {
        var data = new TheoryData<string, int>();
        foreach (string path in Enum.GetNames<VectorPath>())
        {
            data.Add(path, 33); // dot products, with a row alone
            data.Add(path, 269); // packed panels, with rows left over
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Paths))]
    public void Gelu_FromMinus10To10_MatchesLibTorchsErfGeluWithinTwoFloatStepsAt10(string path)
    {
        Runnable(path);
        using var scope = NewDisposeScope();
        Tensor x = linspace(-10, 10, 4000, dtype: ScalarType.Float32);
        float[] values = x.data<float>().ToArray();
        float[] expected = functional.gelu(x).data<float>().ToArray();

        float[] actual = Apply(Enum.Parse<VectorPath>(path), values, gelu: true);

        actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max().Should().BeLessThan(2e-6f); // a float step at 10 is 9.5e-7
    }

    [SkippableTheory]
    [MemberData(nameof(Paths))]
    public void Gelu_HugeInputsAndNaN_MatchLibTorch(string path)
    {
        Runnable(path);
        using var scope = NewDisposeScope();
        float[] values = [-3e38f, -1e30f, -1e6f, -100f, -50f, -12f, -8.5f, 8.5f, 12f, 50f, 100f, 1e6f, 1e30f, float.NaN, 0f, -0f];
        float[] expected = functional.gelu(tensor(values)).data<float>().ToArray();

        float[] actual = Apply(Enum.Parse<VectorPath>(path), values, gelu: true);

        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(expected[i]))
            {
                actual[i].Should().Be(float.NaN);
            }
            else
            {
                Math.Abs(actual[i] - expected[i]).Should().BeLessThan(1e-6f, $"GELU({values[i]}) is {expected[i]}");
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Paths))]
    public void Exp_FromMinus87To88_IsWithinAFewFloatStepsOfMathExp(string path)
    {
        Runnable(path);
        var values = new List<float>();
        for (float start = -87f; start < 88f; start += 0.37f)
        {
            for (int lane = 0; lane < 16; lane++)
            {
                values.Add(start + (0.02f * lane));
            }
        }

        float[] actual = Apply(Enum.Parse<VectorPath>(path), values.ToArray(), gelu: false);

        float largest = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double expected = Math.Exp(values[i]);
            largest = Math.Max(largest, (float)Math.Abs((actual[i] - expected) / expected));
        }

        largest.Should().BeLessThan(5e-7f);
    }

    [SkippableTheory]
    [MemberData(nameof(AttentionShapes))]
    public void TryAttend_OnEachPath_MatchesLibTorchAttention(string path, int batch, int tokens, int heads, int headSize, bool padded)
    {
        KernelContext kernel = Runnable(path);
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

        Tensor? actual = AttentionKernel.TryAttend(kernel, projected, mask, heads, headSize);

        actual!.shape.Should().Equal(expected.shape);
        actual.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [SkippableTheory]
    [MemberData(nameof(LayerNormShapes))]
    public void TryAddAndNormalize_OnEachPath_MatchesLibTorchsAddThenLayerNorm(string path, int batch, int tokens, int width)
    {
        KernelContext kernel = Runnable(path);
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

        Tensor? actual = LayerNormKernel.TryAddAndNormalize(kernel, x, residual, norm.weight!, norm.bias!, 1e-12);

        actual!.sub(expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    public static TheoryData<string, int, int, int> LayerNormShapes()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (string path in Enum.GetNames<VectorPath>())
        {
            data.Add(path, 1, 5, 32);
            data.Add(path, 4, 50, 384); // above the threshold: rows split between threads
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Paths))]
    public void Encode_KernelForwardOnEachPath_MatchesTheEncodersLibTorchForward(string path)
    {
        KernelContext kernel = Runnable(path);
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
        using var inference = inference_mode();
        var expected = encoder.Encode(ids, mask);

        using var kernels = new CpuKernelEncoder(encoder, kernel);
        var actual = kernels.Encode(ids, mask);

        actual.LastHiddenState.sub(expected.LastHiddenState).abs().max().item<float>().Should().BeLessThan(1e-4f);
        actual.PooledOutput!.sub(expected.PooledOutput!).abs().max().item<float>().Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void TryProject_WidthNotAMultipleOf16_LeavesTheProjectionToLibTorch()
    {
        using var scope = NewDisposeScope();
        using Linear layer = Linear(37, 8);
        using var noGrad = no_grad();

        ProjectionKernel.TryProject(new KernelContext(VectorPath.Vector128, 1), randn(2, 37), [layer.weight!], [layer.bias]).Should().BeNull();
    }

    [Fact]
    public void TryAttend_HeadSizeNotAMultipleOf16_LeavesAttentionToLibTorch()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        AttentionKernel.TryAttend(new KernelContext(VectorPath.Vector128, 1), randn(1, 8, 3 * 24), null, 2, 12).Should().BeNull();
    }

    [Fact]
    public void Encode_WhileGradientsAreRecorded_RunsTheEncodersOwnForwardSoThatTrainingBackpropagates()
    {
        var config = new BertConfig { VocabSize = 99, HiddenSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 64, MaxPositionEmbeddings = 64 };
        manual_seed(2);
        using var bert = new BertEncoder(config);
        using var scope = NewDisposeScope();
        Tensor ids = randint(5, 99, [2, 8], dtype: ScalarType.Int64);

        using var kernels = new CpuKernelEncoder(bert, new KernelContext(VectorPath.Vector128, 1));
        Tensor hidden = kernels.Encode(ids, ones_like(ids)).LastHiddenState;

        hidden.requires_grad.Should().BeTrue("the kernels record no gradient, so the module's forward must run");
    }

    [Fact]
    public void Best_IsAPathThisCpuRunsOrNone()
    {
        if (VectorPaths.Best is { } best)
        {
            VectorPaths.CanRun(best).Should().BeTrue();
        }
        else
        {
            Vector128.IsHardwareAccelerated.Should().BeFalse("only a CPU without hardware vectors (or with them switched off) has no path");
        }
    }

    [PlatformFact(LinuxOnly = true)]
    public void LimitToOne_LimitsLibTorchToOneThreadOnThisThreadOnly_AndRestoresIt()
    {
        int before = get_num_threads();

        int inside;
        using (LibTorchThreadLimit.LimitToOne())
        {
            inside = get_num_threads();
        }

        get_num_threads().Should().Be(before);
        inside.Should().Be(LibTorchThreadLimit.IsAvailable ? 1 : before);
    }

    /// <summary>The kernel context of the path named <paramref name="pathName"/> on two threads; skips the test where this process cannot run it.</summary>
    private static KernelContext Runnable(string pathName)
    {
        VectorPath path = Enum.Parse<VectorPath>(pathName);
        Skip.IfNot(VectorPaths.CanRun(path), $"{path} is not accelerated here (CPU or DOTNET_Enable* switches); VectorPaths.Best is {VectorPaths.Best?.ToString() ?? "none"}.");
        return new KernelContext(path, 2);
    }

    /// <summary>GELU or exp of <paramref name="values"/> on <paramref name="path"/>, a vector at a time (the tail padded with zeros).</summary>
    private static float[] Apply(VectorPath path, float[] values, bool gelu)
    {
        int lanes = path switch { VectorPath.Avx512 => 16, VectorPath.Avx2 => 8, _ => 4 };
        float[] padded = new float[(values.Length + lanes - 1) / lanes * lanes];
        values.CopyTo(padded, 0);
        float[] result = new float[padded.Length];
        for (int i = 0; i < padded.Length; i += lanes)
        {
            ReadOnlySpan<float> source = padded.AsSpan(i, lanes);
            Span<float> target = result.AsSpan(i, lanes);
            switch (path)
            {
                case VectorPath.Avx512:
                    Vector512<float> x512 = Vector512.Create(source);
                    (gelu ? KernelMath.Gelu<Vector512<float>, Vector512Ops>(x512) : KernelMath.Exp<Vector512<float>, Vector512Ops>(x512)).CopyTo(target);
                    break;
                case VectorPath.Avx2:
                    Vector256<float> x256 = Vector256.Create(source);
                    (gelu ? KernelMath.Gelu<Vector256<float>, Vector256Ops>(x256) : KernelMath.Exp<Vector256<float>, Vector256Ops>(x256)).CopyTo(target);
                    break;
                default:
                    Vector128<float> x128 = Vector128.Create(source);
                    (gelu ? KernelMath.Gelu<Vector128<float>, Vector128Ops>(x128) : KernelMath.Exp<Vector128<float>, Vector128Ops>(x128)).CopyTo(target);
                    break;
            }
        }

        return result[..values.Length];
    }
}
