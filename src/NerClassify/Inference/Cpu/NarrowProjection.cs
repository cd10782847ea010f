using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NerClassify.Inference.Cpu;

/// <summary>
/// One <see cref="ProjectionKernel"/> call on 256- or 128-bit vectors: the same two paths as the 512-bit one (dot
/// products on the weights in place below <see cref="ProjectionKernel.PanelMinimumRows"/> rows, packed panels from
/// there), blocked for 16 vector registers: two rows by four weight rows (8 accumulators) and six rows by a panel of
/// two vectors (12 accumulators).
/// </summary>
internal sealed unsafe class NarrowProjection<TVector, TOps>(float* input, long rows, int inFeatures, nint[] weights, nint[] biases, int outFeatures, float* output, bool gelu)
    where TVector : struct
    where TOps : struct, IVectorOps<TVector>
{
    private const int RowsPerBlock = 2;
    private const int OutputsPerBlock = 4;
    private const int PanelRows = 6;

    private readonly int _blocksPerLayer = outFeatures / OutputsPerBlock;
    private readonly int _outputWidth = outFeatures * weights.Length;

    private static int PanelWidth => 2 * TOps.Lanes;

    public void Run(int threads)
    {
        bool panels = rows >= ProjectionKernel.PanelMinimumRows && outFeatures % PanelWidth == 0;
        int units = panels ? outFeatures / PanelWidth * weights.Length : _blocksPerLayer * weights.Length;
        Action<long, long> run = panels ? (first, end) => RunPanels((int)first, (int)end) : (first, end) => RunBlocks((int)first, (int)end);
        long multiplyAdds = rows * _outputWidth * inFeatures;
        KernelThreads.Shared.Split(units, multiplyAdds < ProjectionKernel.ParallelThreshold ? 1 : threads, run);
    }

    private void RunPanels(int firstPanel, int endPanel)
    {
        int panelWidth = PanelWidth;
        int lanes = TOps.Lanes;
        int panelsPerLayer = outFeatures / panelWidth;
        float* packed = (float*)NativeMemory.AlignedAlloc((nuint)(inFeatures * panelWidth * sizeof(float)), 64);
        try
        {
            for (int panel = firstPanel; panel < endPanel; panel++)
            {
                int layer = panel / panelsPerLayer;
                int firstOutput = panel % panelsPerLayer * panelWidth;
                float* weight = (float*)weights[layer] + ((long)firstOutput * inFeatures);
                for (int c = 0; c < panelWidth; c++)
                {
                    float* source = weight + ((long)c * inFeatures);
                    for (int k = 0; k < inFeatures; k++)
                    {
                        packed[(k * panelWidth) + c] = source[k];
                    }
                }

                float* bias = biases[layer] == 0 ? null : (float*)biases[layer] + firstOutput;
                TVector bias0 = bias is null ? TOps.Zero : TOps.Load(bias);
                TVector bias1 = bias is null ? TOps.Zero : TOps.Load(bias + lanes);
                float* columnStart = output + ((long)layer * outFeatures) + firstOutput;
                long row = 0;
                for (; row + PanelRows <= rows; row += PanelRows)
                {
                    float* target = columnStart + (row * _outputWidth);
                    SixRowsOfPanel(input + (row * inFeatures), inFeatures, packed, target, _outputWidth, bias0, bias1);
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
        long chunkRows = Math.Max(RowsPerBlock, ProjectionKernel.InputChunkBytes / (inFeatures * sizeof(float)) / RowsPerBlock * RowsPerBlock);
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
                // While this block's weights are multiplied with every row, the next block's are fetched into L2, a
                // quarter of an input width per two rows (a whole block over 32 rows).
                float* nextWeights = weight + ((long)OutputsPerBlock * inFeatures);
                long row = chunkStart;
                for (int step = 0; row + RowsPerBlock <= chunkEnd; row += RowsPerBlock, step++)
                {
                    float* prefetch = nextWeights + ((long)(step % 16) * inFeatures / 4);
                    TwoRows(input + (row * inFeatures), weight, inFeatures, output + (row * _outputWidth) + column, _outputWidth, bias, gelu, prefetch);
                }

                for (; row < chunkEnd; row++)
                {
                    OneRow(input + (row * inFeatures), weight, inFeatures, output + (row * _outputWidth) + column, bias, gelu);
                }
            }
        }
    }

    /// <summary>Six input rows by one packed panel of two vectors of outputs, summed in place (no horizontal sums).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SixRowsOfPanel(float* input, int width, float* packed, float* output, int outputStride, TVector bias0, TVector bias1)
    {
        int lanes = TOps.Lanes;
        int panelWidth = 2 * lanes;
        TVector c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1;
        TVector c30 = bias0, c31 = bias1, c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1;
        float* x1 = input + width, x2 = x1 + width, x3 = x2 + width, x4 = x3 + width, x5 = x4 + width;
        for (int k = 0; k < width; k++)
        {
            TVector w0 = TOps.Load(packed + (k * panelWidth));
            TVector w1 = TOps.Load(packed + (k * panelWidth) + lanes);
            TVector a = TOps.Broadcast(input[k]);
            c00 = TOps.MultiplyAdd(a, w0, c00);
            c01 = TOps.MultiplyAdd(a, w1, c01);
            a = TOps.Broadcast(x1[k]);
            c10 = TOps.MultiplyAdd(a, w0, c10);
            c11 = TOps.MultiplyAdd(a, w1, c11);
            a = TOps.Broadcast(x2[k]);
            c20 = TOps.MultiplyAdd(a, w0, c20);
            c21 = TOps.MultiplyAdd(a, w1, c21);
            a = TOps.Broadcast(x3[k]);
            c30 = TOps.MultiplyAdd(a, w0, c30);
            c31 = TOps.MultiplyAdd(a, w1, c31);
            a = TOps.Broadcast(x4[k]);
            c40 = TOps.MultiplyAdd(a, w0, c40);
            c41 = TOps.MultiplyAdd(a, w1, c41);
            a = TOps.Broadcast(x5[k]);
            c50 = TOps.MultiplyAdd(a, w0, c50);
            c51 = TOps.MultiplyAdd(a, w1, c51);
        }

        StorePanelRow(output, c00, c01);
        StorePanelRow(output + outputStride, c10, c11);
        StorePanelRow(output + (2 * outputStride), c20, c21);
        StorePanelRow(output + (3 * outputStride), c30, c31);
        StorePanelRow(output + (4 * outputStride), c40, c41);
        StorePanelRow(output + (5 * outputStride), c50, c51);
    }

    /// <summary>One input row by one packed panel, in the same order as <see cref="SixRowsOfPanel"/>.</summary>
    private static void OneRowOfPanel(float* input, int width, float* packed, float* output, TVector bias0, TVector bias1)
    {
        int lanes = TOps.Lanes;
        int panelWidth = 2 * lanes;
        TVector c0 = bias0, c1 = bias1;
        for (int k = 0; k < width; k++)
        {
            TVector a = TOps.Broadcast(input[k]);
            c0 = TOps.MultiplyAdd(a, TOps.Load(packed + (k * panelWidth)), c0);
            c1 = TOps.MultiplyAdd(a, TOps.Load(packed + (k * panelWidth) + lanes), c1);
        }

        StorePanelRow(output, c0, c1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePanelRow(float* output, TVector low, TVector high)
    {
        TOps.Store(low, output);
        TOps.Store(high, output + TOps.Lanes);
    }

    /// <summary>GELU in place on <paramref name="count"/> rows of one panel's outputs, in a loop of its own (see the 512-bit path).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GeluOfPanel(float* output, int outputStride, int count)
    {
        int lanes = TOps.Lanes;
        for (int row = 0; row < count; row++)
        {
            float* values = output + ((long)row * outputStride);
            TOps.Store(KernelMath.Gelu<TVector, TOps>(TOps.Load(values)), values);
            TOps.Store(KernelMath.Gelu<TVector, TOps>(TOps.Load(values + lanes)), values + lanes);
        }
    }

    /// <summary>
    /// Two input rows by four weight rows: eight dot products along the input dimension. Also asks for a stretch of
    /// the next weights from <paramref name="prefetch"/> to be brought into L2 (a hint: it never faults).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoRows(float* input, float* weight, int width, float* output, int outputStride, float* bias, bool gelu, float* prefetch)
    {
        int lanes = TOps.Lanes;
        TVector s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TVector s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        float* x1 = input + width;
        float* w1 = weight + width, w2 = w1 + width, w3 = w2 + width;
        for (int k = 0; k < width; k += lanes)
        {
            TVector a0 = TOps.Load(input + k), a1 = TOps.Load(x1 + k);
            if (Sse.IsSupported)
            {
                Sse.Prefetch1(prefetch + (k >> 2));
            }

            TVector w = TOps.Load(weight + k);
            s00 = TOps.MultiplyAdd(a0, w, s00);
            s10 = TOps.MultiplyAdd(a1, w, s10);
            w = TOps.Load(w1 + k);
            s01 = TOps.MultiplyAdd(a0, w, s01);
            s11 = TOps.MultiplyAdd(a1, w, s11);
            w = TOps.Load(w2 + k);
            s02 = TOps.MultiplyAdd(a0, w, s02);
            s12 = TOps.MultiplyAdd(a1, w, s12);
            w = TOps.Load(w3 + k);
            s03 = TOps.MultiplyAdd(a0, w, s03);
            s13 = TOps.MultiplyAdd(a1, w, s13);
        }

        Vector128<float> b = bias is null ? Vector128<float>.Zero : Vector128.Load(bias);
        Vector128<float> row0 = TOps.SumEach(s00, s01, s02, s03) + b;
        Vector128<float> row1 = TOps.SumEach(s10, s11, s12, s13) + b;
        if (gelu)
        {
            Vector128<float> unused0 = row0, unused1 = row1;
            TOps.GeluOfFour(ref row0, ref row1, ref unused0, ref unused1);
        }

        row0.Store(output);
        row1.Store(output + outputStride);
    }

    /// <summary>One input row by four weight rows, summed in the same order as <see cref="TwoRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRow(float* input, float* weight, int width, float* output, float* bias, bool gelu)
    {
        int lanes = TOps.Lanes;
        TVector s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
        float* w1 = weight + width, w2 = w1 + width, w3 = w2 + width;
        for (int k = 0; k < width; k += lanes)
        {
            TVector a = TOps.Load(input + k);
            s0 = TOps.MultiplyAdd(a, TOps.Load(weight + k), s0);
            s1 = TOps.MultiplyAdd(a, TOps.Load(w1 + k), s1);
            s2 = TOps.MultiplyAdd(a, TOps.Load(w2 + k), s2);
            s3 = TOps.MultiplyAdd(a, TOps.Load(w3 + k), s3);
        }

        Vector128<float> b = bias is null ? Vector128<float>.Zero : Vector128.Load(bias);
        Vector128<float> row = TOps.SumEach(s0, s1, s2, s3) + b;
        if (gelu)
        {
            Vector128<float> unused0 = row, unused1 = row, unused2 = row;
            TOps.GeluOfFour(ref row, ref unused0, ref unused1, ref unused2);
        }

        row.Store(output);
    }
}
