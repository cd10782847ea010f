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
/// 2-core reference machine, where ONNX Runtime's kernels reach 175. This kernel computes each output as dot
/// products along the input dimension, reading the weight matrix where it is ([out, in], row-major, as the
/// checkpoint stores it), four inputs by four outputs at a time, and splits the outputs between LibTorch's
/// intra-op threads. Nothing is packed or cached, so there is nothing to keep in step with the parameters;
/// every output element is summed in the same order whatever the batch size or thread count.
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

    // Below this many multiply-adds one thread finishes before a second would start.
    private const long ParallelThreshold = 1L << 20;

    // Bytes of input rows a thread keeps hot in its L2 cache while it sweeps the weights.
    private const int InputChunkBytes = 128 * 1024;

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
    /// number. Does nothing when the kernel does not apply (off, gradients recorded, not float32 on the CPU) or a
    /// forward pass has already begun on this thread.
    /// </summary>
    public static ForwardScope BeginForward(DeviceType device, ScalarType dtype)
    {
        if (!Enabled || t_threads != 0 || is_grad_enabled() || device != DeviceType.CPU || dtype != ScalarType.Float32
            || !LibTorchThreadLimit.IsAvailable)
        {
            return default;
        }

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
    /// <param name="gelu">Whether to apply exact (erf) GELU to the outputs, as <c>BertIntermediate</c> does.</param>
    public static Tensor? TryProject(Tensor input, ReadOnlySpan<Linear> layers, bool gelu = false)
    {
        if (!Enabled || is_grad_enabled() || !IsContiguousFloatOnCpu(input) || input.dim() < 1)
        {
            return null;
        }

        Tensor firstWeight = layers[0].weight!;
        long outFeatures = firstWeight.shape[0];
        long inFeatures = firstWeight.shape[1];
        if (input.shape[^1] != inFeatures || inFeatures % Lanes != 0 || outFeatures % OutputsPerBlock != 0)
        {
            return null;
        }

        var weights = new nint[layers.Length];
        var biases = new nint[layers.Length];
        for (int i = 0; i < layers.Length; i++)
        {
            Tensor weight = layers[i].weight!;
            Tensor? bias = layers[i].bias;
            if (!IsContiguousFloatOnCpu(weight) || weight.shape[0] != outFeatures || weight.shape[1] != inFeatures
                || (bias is not null && !IsContiguousFloatOnCpu(bias)))
            {
                return null;
            }

            weights[i] = (nint)DataOf(weight);
            biases[i] = bias is null ? 0 : (nint)DataOf(bias);
        }

        long rows = input.numel() / inFeatures;
        long[] shape = input.shape;
        shape[^1] = outFeatures * layers.Length;
        Tensor output = empty(shape, ScalarType.Float32);
        var job = new Job(DataOf(input), rows, (int)inFeatures, weights, biases, (int)outFeatures, DataOf(output), gelu);
        job.Run(Math.Max(1, t_threads));
        return output;
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
            int blocks = _blocksPerLayer * weights.Length;
            long multiplyAdds = rows * _outputWidth * inFeatures;
            int parts = multiplyAdds < ParallelThreshold ? 1 : Math.Clamp(threads, 1, blocks);
            if (parts == 1)
            {
                RunBlocks(0, blocks);
                return;
            }

            // Each thread takes a contiguous share of the output columns (and so reads only its share of the weights).
            if (!KernelThreads.Shared.TryRun(parts, part => RunBlocks((int)((long)blocks * part / parts), (int)((long)blocks * (part + 1) / parts))))
            {
                RunBlocks(0, blocks);
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
                    long row = chunkStart;
                    for (; row + RowsPerBlock <= chunkEnd; row += RowsPerBlock)
                    {
                        FourRows(input + (row * inFeatures), weight, inFeatures, output + (row * _outputWidth) + column, _outputWidth, bias, gelu);
                    }

                    for (; row < chunkEnd; row++)
                    {
                        OneRow(input + (row * inFeatures), weight, inFeatures, output + (row * _outputWidth) + column, bias, gelu);
                    }
                }
            }
        }
    }

    /// <summary>Four input rows by four weight rows: sixteen 16-lane dot products along the input dimension.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRows(float* input, float* weight, int width, float* output, int outputStride, float* bias, bool gelu)
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
        Finish(SumEach(s00, s01, s02, s03) + b, gelu).Store(output);
        Finish(SumEach(s10, s11, s12, s13) + b, gelu).Store(output + outputStride);
        Finish(SumEach(s20, s21, s22, s23) + b, gelu).Store(output + (2 * outputStride));
        Finish(SumEach(s30, s31, s32, s33) + b, gelu).Store(output + (3 * outputStride));
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
        Finish(SumEach(s0, s1, s2, s3) + b, gelu).Store(output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Finish(Vector128<float> value, bool gelu) => gelu ? Gelu(value) : value;

    /// <summary>
    /// Exact GELU, <c>x/2 · (1 + erf(x/√2))</c>, with erf from Abramowitz and Stegun 7.1.26 (absolute error under
    /// 1.5e-7, the size of float rounding at these magnitudes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Gelu(Vector128<float> x)
    {
        Vector128<float> z = Vector128.Abs(x) * Vector128.Create(0.70710677f);
        Vector128<float> t = Vector128<float>.One / (Vector128<float>.One + (Vector128.Create(0.3275911f) * z));
        Vector128<float> poly = Vector128.Create(1.061405429f);
        poly = (poly * t) + Vector128.Create(-1.453152027f);
        poly = (poly * t) + Vector128.Create(1.421413741f);
        poly = (poly * t) + Vector128.Create(-0.284496736f);
        poly = (poly * t) + Vector128.Create(0.254829592f);
        Vector128<float> tail = poly * t * Vector128.Exp(-(z * z)); // erfc(|x|/√2), computed directly (no cancellation)

        // x·Φ(x) with Φ(x) = 1 - tail/2 for x ≥ 0 and tail/2 for x < 0.
        Vector128<float> half = Vector128.Create(0.5f);
        Vector128<float> phi = Vector128.ConditionalSelect(
            Vector128.GreaterThanOrEqual(x, Vector128<float>.Zero), Vector128<float>.One - (half * tail), half * tail);
        return x * phi;
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
