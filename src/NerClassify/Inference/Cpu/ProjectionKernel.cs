using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Inference.Cpu;

/// <summary>
/// The encoder's linear projections (<c>x · Wᵀ + b</c>) for inference, where LibTorch is slowest: short sequences, one
/// to a few sentences at a time.
/// </summary>
/// <remarks>
/// <para>
/// LibTorch's CPU build multiplies matrices with oneMKL, which on AMD processors takes its generic path and repacks
/// the weight matrix on every call. For a MiniLM layer at 1 x 32 tokens that gives about 120 GFLOP/s on the
/// 2-core reference machine, where ONNX Runtime's kernels reach 175. Below 256 rows this kernel computes each
/// output as dot products along the input dimension, reading the weight matrix where it is ([out, in], row-major,
/// as the checkpoint stores it), a few inputs by four outputs at a time, and fetches the next four weight rows into
/// L2 while it works on the current ones; from 256 rows it repacks each panel of two vectors' worth of outputs once
/// per call and sweeps every row with it, several rows at a time (below that the repacking costs more than it saves:
/// a MiniLM forward at 1 x 128 tokens took 8% longer with panels on the 512-bit path). The threads claim the outputs
/// in chunks of columns (<see cref="KernelThreads"/>). Nothing is kept between calls, so there is nothing to keep in
/// step with the parameters; within each path every output is summed in the same order whatever the thread count.
/// </para>
/// <para>
/// The 512-bit path (<see cref="VectorPath.Avx512"/>) takes four rows by four weight rows in its dot products and
/// eight rows per panel step (32 registers); the 256- and 128-bit paths (<see cref="NarrowProjection{TVector, TOps}"/>)
/// take two rows by four weight rows and six rows per panel step, so that their accumulators fit in 16 registers.
/// </para>
/// <para>
/// It applies to contiguous float32 CPU tensors whose input width is a multiple of 16 and output width a multiple of
/// 4; otherwise <see cref="TryProject"/> returns null and the caller runs LibTorch's <c>linear</c>. The caller makes
/// sure that no gradient is being recorded.
/// </para>
/// </remarks>
internal static unsafe class ProjectionKernel
{
    private const int RowsPerBlock = 4;
    private const int OutputsPerBlock = 4;
    private const int Lanes = 16;

    // The panel path (many rows): 32 outputs per packed panel, eight rows per step, from this many rows on.
    private const int PanelWidth = 32;
    private const int PanelRows = 8;

    /// <summary>From this many rows on, the weights are repacked into panels (on every path).</summary>
    internal const long PanelMinimumRows = 256;

    /// <summary>Below this many multiply-adds one thread finishes before a second would start.</summary>
    internal const long ParallelThreshold = 1L << 20;

    /// <summary>
    /// Bytes of input rows a thread keeps hot in its L2 cache while it sweeps the weights: half of a 1 MB L2, so that
    /// up to 84 rows of the second feed-forward projection's 1,536 inputs are multiplied in one sweep of the weights.
    /// </summary>
    internal const int InputChunkBytes = 512 * 1024;

    /// <summary>
    /// <c>input · Wᵀ + b</c> for each weight matrix, side by side along the last dimension ([..., in] → [..., out x
    /// layers]); null when the kernel does not apply.
    /// </summary>
    /// <param name="context">The vector path and threads.</param>
    /// <param name="input">[..., in].</param>
    /// <param name="weights">One or more [out, in] weight matrices of the same shape.</param>
    /// <param name="biases">Each matrix's [out] bias, or null where it has none.</param>
    /// <param name="gelu">Whether to apply exact (erf) GELU to the outputs, as <c>BertIntermediate</c> does (<see cref="KernelMath.Gelu{TVector, TOps}"/>).</param>
    public static Tensor? TryProject(KernelContext context, Tensor input, ReadOnlySpan<Tensor> weights, ReadOnlySpan<Tensor?> biases, bool gelu = false)
    {
        if (!TensorMemory.IsContiguousFloatOnCpu(input) || input.dim() < 1 || weights.Length != biases.Length)
        {
            return null;
        }

        long outFeatures = weights[0].size(0);
        long inFeatures = weights[0].size(1);
        if (input.size(-1) != inFeatures || inFeatures % Lanes != 0 || outFeatures % OutputsPerBlock != 0)
        {
            return null;
        }

        var weightData = new nint[weights.Length];
        var biasData = new nint[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            Tensor weight = weights[i];
            Tensor? bias = biases[i];
            if (!TensorMemory.IsContiguousFloatOnCpu(weight) || weight.size(0) != outFeatures || weight.size(1) != inFeatures
                || (bias is not null && (!TensorMemory.IsContiguousFloatOnCpu(bias) || bias.numel() != outFeatures)))
            {
                return null;
            }

            weightData[i] = (nint)TensorMemory.DataOf(weight);
            biasData[i] = bias is null ? 0 : (nint)TensorMemory.DataOf(bias);
        }

        long rows = input.numel() / inFeatures;
        long[] shape = TensorMemory.SizesOf(input);
        shape[^1] = outFeatures * weights.Length;
        Tensor output = empty(shape, ScalarType.Float32);
        float* inputData = TensorMemory.DataOf(input);
        float* outputData = TensorMemory.DataOf(output);
        int threads = Math.Max(1, context.Threads);
        switch (context.Path)
        {
            case VectorPath.Avx512:
                new Job(inputData, rows, (int)inFeatures, weightData, biasData, (int)outFeatures, outputData, gelu).Run(threads);
                break;
            case VectorPath.Avx2:
                new NarrowProjection<Vector256<float>, Vector256Ops>(inputData, rows, (int)inFeatures, weightData, biasData, (int)outFeatures, outputData, gelu).Run(threads);
                break;
            default:
                new NarrowProjection<Vector128<float>, Vector128Ops>(inputData, rows, (int)inFeatures, weightData, biasData, (int)outFeatures, outputData, gelu).Run(threads);
                break;
        }

        return output;
    }

    /// <summary>One call on the 512-bit path: the input rows, the layers' weights and biases, and where the outputs go.</summary>
    private sealed class Job(float* input, long rows, int inFeatures, nint[] weights, nint[] biases, int outFeatures, float* output, bool gelu)
    {
        private readonly int _blocksPerLayer = outFeatures / OutputsPerBlock;
        private readonly int _outputWidth = outFeatures * weights.Length;

        public void Run(int threads)
        {
            // Many rows: repack each 32-output panel of weights once per call and sweep all rows with it (no
            // horizontal sums); few rows: dot products on the weights as they are (repacking would cost more than
            // it saves).
            bool panels = rows >= PanelMinimumRows && outFeatures % PanelWidth == 0;
            int units = panels ? outFeatures / PanelWidth * weights.Length : _blocksPerLayer * weights.Length;
            Action<int, int> run = panels ? RunPanels : RunBlocks;
            long multiplyAdds = rows * _outputWidth * inFeatures;

            // Each thread takes a contiguous share of the output columns (and so reads only its share of the weights).
            KernelThreads.Shared.Split(units, multiplyAdds < ParallelThreshold ? 1 : threads, (first, end) => run((int)first, (int)end));
        }

        private void RunPanels(int firstPanel, int endPanel)
        {
            int panelsPerLayer = outFeatures / PanelWidth;
            float* packed = (float*)NativeMemory.AlignedAlloc((nuint)(inFeatures * PanelWidth * sizeof(float)), 64);
            try
            {
                for (int panel = firstPanel; panel < endPanel; panel++)
                {
                    int layer = panel / panelsPerLayer;
                    int firstOutput = panel % panelsPerLayer * PanelWidth;
                    float* weight = (float*)weights[layer] + ((long)firstOutput * inFeatures);
                    for (int c = 0; c < PanelWidth; c++)
                    {
                        float* source = weight + ((long)c * inFeatures);
                        for (int k = 0; k < inFeatures; k++)
                        {
                            packed[(k * PanelWidth) + c] = source[k];
                        }
                    }

                    float* bias = biases[layer] == 0 ? null : (float*)biases[layer] + firstOutput;
                    Vector512<float> bias0 = bias is null ? default : Vector512.Load(bias);
                    Vector512<float> bias1 = bias is null ? default : Vector512.Load(bias + Lanes);
                    float* columnStart = output + ((long)layer * outFeatures) + firstOutput;
                    long row = 0;
                    for (; row + PanelRows <= rows; row += PanelRows)
                    {
                        float* target = columnStart + (row * _outputWidth);
                        EightRowsOfPanel(input + (row * inFeatures), inFeatures, packed, target, _outputWidth, bias0, bias1);
                        if (gelu)
                        {
                            GeluOfPanel(target, _outputWidth, PanelRows);
                        }
                    }

                    for (; row < rows; row++)
                    {
                        float* target = columnStart + (row * _outputWidth);
                        OneRowOfPanel(input + (row * inFeatures), inFeatures, packed, target, bias0, bias1);
                        if (gelu)
                        {
                            GeluOfPanel(target, _outputWidth, 1);
                        }
                    }
                }
            }
            finally
            {
                NativeMemory.AlignedFree(packed);
            }
        }

        private void RunBlocks(int firstBlock, int endBlock)
        {
            long chunkRows = Math.Max(RowsPerBlock, InputChunkBytes / (inFeatures * sizeof(float)) / RowsPerBlock * RowsPerBlock);
            for (long chunkStart = 0; chunkStart < rows; chunkStart += chunkRows)
            {
                long chunkEnd = Math.Min(rows, chunkStart + chunkRows);
                for (int block = firstBlock; block < endBlock; block++)
                {
                    int layer = block / _blocksPerLayer;
                    int firstOutput = block % _blocksPerLayer * OutputsPerBlock;
                    float* weight = (float*)weights[layer] + ((long)firstOutput * inFeatures);
                    float* bias = biases[layer] == 0 ? null : (float*)biases[layer] + firstOutput;
                    long column = ((long)layer * outFeatures) + firstOutput;
                    // While this block's weights are multiplied with every row, the next block's are fetched into L2,
                    // half an input width per four rows (a whole block over eight), so that they are there when it starts.
                    float* nextWeights = weight + ((long)OutputsPerBlock * inFeatures);
                    long row = chunkStart;
                    for (int step = 0; row + RowsPerBlock <= chunkEnd; row += RowsPerBlock, step++)
                    {
                        float* prefetch = nextWeights + ((long)step * inFeatures / 2);
                        FourRows(input + (row * inFeatures), weight, inFeatures, output + (row * _outputWidth) + column, _outputWidth, bias, gelu, prefetch);
                    }

                    for (; row < chunkEnd; row++)
                    {
                        OneRow(input + (row * inFeatures), weight, inFeatures, output + (row * _outputWidth) + column, bias, gelu);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Eight input rows by one packed panel of 32 outputs: each input value is broadcast and multiplied into the
    /// panel's 32 weights for it, so the sums build up in place (no horizontal sums).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EightRowsOfPanel(float* input, int width, float* packed, float* output, int outputStride, Vector512<float> bias0, Vector512<float> bias1)
    {
        Vector512<float> c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
        Vector512<float> c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1, c60 = bias0, c61 = bias1, c70 = bias0, c71 = bias1;
        float* x1 = input + width, x2 = x1 + width, x3 = x2 + width, x4 = x3 + width, x5 = x4 + width, x6 = x5 + width, x7 = x6 + width;
        for (int k = 0; k < width; k++)
        {
            Vector512<float> w0 = Vector512.Load(packed + (k * PanelWidth));
            Vector512<float> w1 = Vector512.Load(packed + (k * PanelWidth) + Lanes);
            Vector512<float> a = Vector512.Create(input[k]);
            c00 = Vector512.FusedMultiplyAdd(a, w0, c00);
            c01 = Vector512.FusedMultiplyAdd(a, w1, c01);
            a = Vector512.Create(x1[k]);
            c10 = Vector512.FusedMultiplyAdd(a, w0, c10);
            c11 = Vector512.FusedMultiplyAdd(a, w1, c11);
            a = Vector512.Create(x2[k]);
            c20 = Vector512.FusedMultiplyAdd(a, w0, c20);
            c21 = Vector512.FusedMultiplyAdd(a, w1, c21);
            a = Vector512.Create(x3[k]);
            c30 = Vector512.FusedMultiplyAdd(a, w0, c30);
            c31 = Vector512.FusedMultiplyAdd(a, w1, c31);
            a = Vector512.Create(x4[k]);
            c40 = Vector512.FusedMultiplyAdd(a, w0, c40);
            c41 = Vector512.FusedMultiplyAdd(a, w1, c41);
            a = Vector512.Create(x5[k]);
            c50 = Vector512.FusedMultiplyAdd(a, w0, c50);
            c51 = Vector512.FusedMultiplyAdd(a, w1, c51);
            a = Vector512.Create(x6[k]);
            c60 = Vector512.FusedMultiplyAdd(a, w0, c60);
            c61 = Vector512.FusedMultiplyAdd(a, w1, c61);
            a = Vector512.Create(x7[k]);
            c70 = Vector512.FusedMultiplyAdd(a, w0, c70);
            c71 = Vector512.FusedMultiplyAdd(a, w1, c71);
        }

        StorePanelRow(output, c00, c01);
        StorePanelRow(output + outputStride, c10, c11);
        StorePanelRow(output + (2 * outputStride), c20, c21);
        StorePanelRow(output + (3 * outputStride), c30, c31);
        StorePanelRow(output + (4 * outputStride), c40, c41);
        StorePanelRow(output + (5 * outputStride), c50, c51);
        StorePanelRow(output + (6 * outputStride), c60, c61);
        StorePanelRow(output + (7 * outputStride), c70, c71);
    }

    /// <summary>One input row by one packed panel, in the same order as <see cref="EightRowsOfPanel"/>.</summary>
    private static void OneRowOfPanel(float* input, int width, float* packed, float* output, Vector512<float> bias0, Vector512<float> bias1)
    {
        Vector512<float> c0 = bias0, c1 = bias1;
        for (int k = 0; k < width; k++)
        {
            Vector512<float> a = Vector512.Create(input[k]);
            c0 = Vector512.FusedMultiplyAdd(a, Vector512.Load(packed + (k * PanelWidth)), c0);
            c1 = Vector512.FusedMultiplyAdd(a, Vector512.Load(packed + (k * PanelWidth) + Lanes), c1);
        }

        StorePanelRow(output, c0, c1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePanelRow(float* output, Vector512<float> low, Vector512<float> high)
    {
        low.Store(output);
        high.Store(output + Lanes);
    }

    /// <summary>
    /// GELU in place on <paramref name="rows"/> rows of one panel's 32 outputs, just stored and still in the L1
    /// cache. A loop of its own keeps GELU's constants in registers: inlined into the panel's epilogue, next to 16
    /// accumulators, they were spilled to the stack.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GeluOfPanel(float* output, int outputStride, int rows)
    {
        for (int row = 0; row < rows; row++)
        {
            float* values = output + ((long)row * outputStride);
            KernelMath.Gelu<Vector512<float>, Vector512Ops>(Vector512.Load(values)).Store(values);
            KernelMath.Gelu<Vector512<float>, Vector512Ops>(Vector512.Load(values + Lanes)).Store(values + Lanes);
        }
    }

    /// <summary>
    /// Four input rows by four weight rows: sixteen 16-lane dot products along the input dimension. Also asks for
    /// the <paramref name="width"/> / 2 floats from <paramref name="prefetch"/> to be brought into the L2 cache
    /// (a hint: it never faults, wherever it points).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRows(float* input, float* weight, int width, float* output, int outputStride, float* bias, bool gelu, float* prefetch)
    {
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default;
        float* x1 = input + width, x2 = x1 + width, x3 = x2 + width;
        float* w1 = weight + width, w2 = w1 + width, w3 = w2 + width;
        for (int k = 0; k < width; k += Lanes)
        {
            Vector512<float> a0 = Vector512.Load(input + k), a1 = Vector512.Load(x1 + k);
            Vector512<float> a2 = Vector512.Load(x2 + k), a3 = Vector512.Load(x3 + k);
            Sse.Prefetch1(prefetch + (k >> 1));
            Vector512<float> w = Vector512.Load(weight + k);
            s00 = Vector512.FusedMultiplyAdd(a0, w, s00);
            s10 = Vector512.FusedMultiplyAdd(a1, w, s10);
            s20 = Vector512.FusedMultiplyAdd(a2, w, s20);
            s30 = Vector512.FusedMultiplyAdd(a3, w, s30);
            w = Vector512.Load(w1 + k);
            s01 = Vector512.FusedMultiplyAdd(a0, w, s01);
            s11 = Vector512.FusedMultiplyAdd(a1, w, s11);
            s21 = Vector512.FusedMultiplyAdd(a2, w, s21);
            s31 = Vector512.FusedMultiplyAdd(a3, w, s31);
            w = Vector512.Load(w2 + k);
            s02 = Vector512.FusedMultiplyAdd(a0, w, s02);
            s12 = Vector512.FusedMultiplyAdd(a1, w, s12);
            s22 = Vector512.FusedMultiplyAdd(a2, w, s22);
            s32 = Vector512.FusedMultiplyAdd(a3, w, s32);
            w = Vector512.Load(w3 + k);
            s03 = Vector512.FusedMultiplyAdd(a0, w, s03);
            s13 = Vector512.FusedMultiplyAdd(a1, w, s13);
            s23 = Vector512.FusedMultiplyAdd(a2, w, s23);
            s33 = Vector512.FusedMultiplyAdd(a3, w, s33);
        }

        Vector128<float> b = bias is null ? Vector128<float>.Zero : Vector128.Load(bias);
        Vector128<float> row0 = SumEach(s00, s01, s02, s03) + b, row1 = SumEach(s10, s11, s12, s13) + b;
        Vector128<float> row2 = SumEach(s20, s21, s22, s23) + b, row3 = SumEach(s30, s31, s32, s33) + b;
        if (gelu)
        {
            // The four rows' outputs as one 16-lane vector, so GELU costs one vector operation per block.
            Vector512Ops.GeluOfFour(ref row0, ref row1, ref row2, ref row3);
        }

        row0.Store(output);
        row1.Store(output + outputStride);
        row2.Store(output + (2 * outputStride));
        row3.Store(output + (3 * outputStride));
    }

    /// <summary>One input row by four weight rows, summed in the same order as <see cref="FourRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRow(float* input, float* weight, int width, float* output, float* bias, bool gelu)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        float* w1 = weight + width, w2 = w1 + width, w3 = w2 + width;
        for (int k = 0; k < width; k += Lanes)
        {
            Vector512<float> a = Vector512.Load(input + k);
            s0 = Vector512.FusedMultiplyAdd(a, Vector512.Load(weight + k), s0);
            s1 = Vector512.FusedMultiplyAdd(a, Vector512.Load(w1 + k), s1);
            s2 = Vector512.FusedMultiplyAdd(a, Vector512.Load(w2 + k), s2);
            s3 = Vector512.FusedMultiplyAdd(a, Vector512.Load(w3 + k), s3);
        }

        Vector128<float> b = bias is null ? Vector128<float>.Zero : Vector128.Load(bias);
        Vector128<float> row = SumEach(s0, s1, s2, s3) + b;
        if (gelu)
        {
            row = KernelMath.Gelu<Vector512<float>, Vector512Ops>(Vector512.Create(Vector256.Create(row, row), Vector256.Create(row, row))).GetLower().GetLower();
        }

        row.Store(output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SumEach(Vector512<float> p, Vector512<float> q, Vector512<float> r, Vector512<float> s) =>
        Vector512Ops.SumEach(p, q, r, s);
}
