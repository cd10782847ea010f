using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// The encoder's linear projections (<c>x · Wᵀ + b</c>) for inference on CPUs with 512-bit vectors, where
/// LibTorch is slowest: short sequences, one to a few sentences at a time.
/// </summary>
/// <remarks>
/// <para>
/// LibTorch's CPU build multiplies matrices with oneMKL, which on AMD processors takes its AVX2 path and repacks
/// the weight matrix on every call. For a MiniLM layer at 1 x 32 tokens that gives about 120 GFLOP/s on the
/// 2-core reference machine, where ONNX Runtime's kernels reach 175. Below 256 rows this kernel computes each
/// output as dot products along the input dimension, reading the weight matrix where it is ([out, in], row-major,
/// as the checkpoint stores it), four inputs by four outputs at a time, and fetches the next four weight rows into
/// L2 while it works on the current ones; from 256 rows it repacks each 32-output panel of weights once per call
/// and sweeps every row with it, eight rows at a time (below that the repacking costs more than it saves: a
/// MiniLM forward at 1 x 128 tokens took 8% longer with panels). The configured threads claim the outputs in
/// chunks of columns (<see cref="KernelThreads"/>). Nothing is kept between calls, so there is nothing to keep in
/// step with the parameters; within each path every output is summed in the same order whatever the thread count.
/// </para>
/// <para>
/// It applies only when no gradient is being recorded (<c>inference_mode</c> or <c>no_grad</c>), to contiguous
/// float32 CPU tensors whose input width is a multiple of 16 and output width a multiple of 4; otherwise
/// <see cref="TryProject"/> returns null and the module runs LibTorch's <c>linear</c>. Setting the environment
/// variable <c>NERCLASSIFY_CPU_KERNELS=0</c> turns it off.
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
    private const long PanelMinimumRows = 256;

    // Below this many multiply-adds one thread finishes before a second would start.
    private const long ParallelThreshold = 1L << 20;

    // Bytes of input rows a thread keeps hot in its L2 cache while it sweeps the weights: half of a 1 MB L2, so that
    // up to 84 rows of the second feed-forward projection's 1,536 inputs are multiplied in one sweep of the weights.
    private const int InputChunkBytes = 512 * 1024;

    // The kernel's thread count inside a forward pass begun with BeginForward; 0 outside one (the kernel then runs
    // on the calling thread alone, since LibTorch's own threads would compete for the cores).
    [ThreadStatic]
    private static int t_threads;

    /// <summary>The kernels' thread count inside a forward pass begun on this thread; 0 outside one.</summary>
    internal static int ThreadsOfThisForward => t_threads;

    /// <summary>Whether the kernel is used where it applies: hardware support and not switched off.</summary>
    internal static bool Enabled { get; set; } = IsSupported && Environment.GetEnvironmentVariable("NERCLASSIFY_CPU_KERNELS") != "0";

    /// <summary>Whether this CPU and runtime accelerate 512-bit vectors (the runtime's own judgement).</summary>
    internal static bool IsSupported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Sse3.IsSupported;

    /// <summary>
    /// Prepares the calling thread for an inference forward pass on <paramref name="device"/> in
    /// <paramref name="dtype"/>: LibTorch's operators run on one thread and the projections on LibTorch's usual
    /// number. The first such call in the process also keeps freed memory in the C heap
    /// (<see cref="NativeHeapSettings"/>). Does nothing when the kernel does not apply (off, gradients recorded, not
    /// float32 on the CPU) or a forward pass has already begun on this thread.
    /// </summary>
    public static ForwardScope BeginForward(DeviceType device, ScalarType dtype)
    {
        if (!Enabled || t_threads != 0 || is_grad_enabled() || device != DeviceType.CPU || dtype != ScalarType.Float32
            || !LibTorchThreadLimit.IsAvailable)
        {
            return default;
        }

        NativeHeapSettings.ApplyOnce();
        LibTorchThreadLimit.Scope limit = LibTorchThreadLimit.LimitToOne();
        t_threads = Math.Max(1, limit.PreviousThreads);
        return new ForwardScope(limit, active: true);
    }

    /// <summary>
    /// <c>input · Wᵀ + b</c> for each of <paramref name="layers"/>, side by side along the last dimension
    /// ([..., in] → [..., out x layers]); null when the kernel does not apply.
    /// </summary>
    /// <param name="input">[..., in].</param>
    /// <param name="layers">One or more linear layers of the same shape.</param>
    /// <param name="gelu">Whether to apply exact (erf) GELU to the outputs, as <c>BertIntermediate</c> does (<see cref="KernelMath.Gelu"/>).</param>
    public static Tensor? TryProject(Tensor input, ReadOnlySpan<Linear> layers, bool gelu = false)
    {
        if (!Enabled || is_grad_enabled() || !IsContiguousFloatOnCpu(input) || input.dim() < 1)
        {
            return null;
        }

        Tensor firstWeight = layers[0].weight!;
        long outFeatures = firstWeight.size(0);
        long inFeatures = firstWeight.size(1);
        if (input.size(-1) != inFeatures || inFeatures % Lanes != 0 || outFeatures % OutputsPerBlock != 0)
        {
            return null;
        }

        var weights = new nint[layers.Length];
        var biases = new nint[layers.Length];
        for (int i = 0; i < layers.Length; i++)
        {
            Tensor weight = layers[i].weight!;
            Tensor? bias = layers[i].bias;
            if (!IsContiguousFloatOnCpu(weight) || weight.size(0) != outFeatures || weight.size(1) != inFeatures
                || (bias is not null && !IsContiguousFloatOnCpu(bias)))
            {
                return null;
            }

            weights[i] = (nint)DataOf(weight);
            biases[i] = bias is null ? 0 : (nint)DataOf(bias);
        }

        long rows = input.numel() / inFeatures;
        long[] shape = SizesOf(input);
        shape[^1] = outFeatures * layers.Length;
        Tensor output = empty(shape, ScalarType.Float32);
        var job = new Job(DataOf(input), rows, (int)inFeatures, weights, biases, (int)outFeatures, DataOf(output), gelu);
        job.Run(Math.Max(1, t_threads));
        return output;
    }

    /// <summary>The tensor's sizes, read one dimension at a time: TorchSharp's <c>shape</c> allocates three objects a call, and
    /// the two dozen kernel calls of a forward pass read sizes about ten times each.</summary>
    internal static long[] SizesOf(Tensor tensor)
    {
        var sizes = new long[tensor.dim()];
        for (int i = 0; i < sizes.Length; i++)
        {
            sizes[i] = tensor.size(i);
        }

        return sizes;
    }

    private static bool IsContiguousFloatOnCpu(Tensor tensor) =>
        tensor.dtype == ScalarType.Float32 && tensor.device_type == DeviceType.CPU && tensor.is_contiguous();

    // Tensor.bytes is a span over the tensor's native storage (contiguous CPU tensors), which does not move.
    internal static float* DataOf(Tensor tensor) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));

    /// <summary>Ends what <see cref="BeginForward"/> began on this thread.</summary>
    internal readonly struct ForwardScope(LibTorchThreadLimit.Scope limit, bool active) : IDisposable
    {
        public void Dispose()
        {
            if (active)
            {
                t_threads = 0;
                limit.Dispose();
            }
        }
    }

    /// <summary>One call: the input rows, the layers' weights and biases, and where the outputs go.</summary>
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
            KernelMath.Gelu(Vector512.Load(values)).Store(values);
            KernelMath.Gelu(Vector512.Load(values + Lanes)).Store(values + Lanes);
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
            Vector512<float> all = KernelMath.Gelu(Vector512.Create(Vector256.Create(row0, row1), Vector256.Create(row2, row3)));
            row0 = all.GetLower().GetLower();
            row1 = all.GetLower().GetUpper();
            row2 = all.GetUpper().GetLower();
            row3 = all.GetUpper().GetUpper();
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
            row = KernelMath.Gelu(Vector512.Create(Vector256.Create(row, row), Vector256.Create(row, row))).GetLower().GetLower();
        }

        row.Store(output);
    }

    /// <summary>The lane sums of four vectors, as one 4-lane vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SumEach(Vector512<float> p, Vector512<float> q, Vector512<float> r, Vector512<float> s)
    {
        Vector256<float> p8 = p.GetLower() + p.GetUpper(), q8 = q.GetLower() + q.GetUpper();
        Vector256<float> r8 = r.GetLower() + r.GetUpper(), s8 = s.GetLower() + s.GetUpper();
        Vector128<float> p4 = p8.GetLower() + p8.GetUpper(), q4 = q8.GetLower() + q8.GetUpper();
        Vector128<float> r4 = r8.GetLower() + r8.GetUpper(), s4 = s8.GetLower() + s8.GetUpper();
        return Sse3.HorizontalAdd(Sse3.HorizontalAdd(p4, q4), Sse3.HorizontalAdd(r4, s4));
    }
}
