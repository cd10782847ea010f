using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Inference.Cpu;

/// <summary>
/// <c>LayerNorm(x + residual)</c> for inference, the last step of <c>BertSelfOutput</c> and <c>BertOutput</c>, in one
/// pass per row split between the kernel threads.
/// </summary>
/// <remarks>
/// LibTorch's add and <c>layer_norm</c> on the one thread the forward pass leaves it took about 1 ms a layer at
/// 32 x 32 tokens. Per row: the sum and its mean, then the mean squared deviation (two passes, as LibTorch's
/// reference does), then the scaled and shifted result. The width must be a multiple of 16; otherwise
/// <see cref="TryAddAndNormalize"/> returns null and the caller runs LibTorch's operators.
/// </remarks>
internal static unsafe class LayerNormKernel
{
    // Below this many values one thread finishes before a second would start.
    private const long ParallelThreshold = 1L << 15;

    /// <summary><c>LayerNorm(x + residual)</c> with <paramref name="weight"/> and <paramref name="bias"/>; null when the kernel does not apply.</summary>
    public static Tensor? TryAddAndNormalize(KernelContext context, Tensor x, Tensor residual, Tensor weight, Tensor bias, double epsilon)
    {
        long width = x.size(-1);
        if (width % 16 != 0 || !TensorMemory.IsContiguousFloatOnCpu(x) || !TensorMemory.IsContiguousFloatOnCpu(residual)
            || !TensorMemory.HaveSameSizes(x, residual) || !TensorMemory.IsContiguousFloatOnCpu(weight) || !TensorMemory.IsContiguousFloatOnCpu(bias)
            || weight.numel() != width || bias.numel() != width)
        {
            return null;
        }

        Tensor output = empty(TensorMemory.SizesOf(x), ScalarType.Float32);
        var job = new Job(TensorMemory.DataOf(x), TensorMemory.DataOf(residual), TensorMemory.DataOf(weight),
            TensorMemory.DataOf(bias), TensorMemory.DataOf(output), (int)width, (float)epsilon);
        Action<long, long> rows = context.Path switch
        {
            VectorPath.Avx512 => job.RunRows<System.Runtime.Intrinsics.Vector512<float>, Vector512Ops>,
            VectorPath.Avx2 => job.RunRows<System.Runtime.Intrinsics.Vector256<float>, Vector256Ops>,
            _ => job.RunRows<System.Runtime.Intrinsics.Vector128<float>, Vector128Ops>,
        };
        KernelThreads.Shared.Split(x.numel() / width, x.numel() < ParallelThreshold ? 1 : context.Threads, rows);
        return output;
    }

    /// <summary>One call: the two inputs, the LayerNorm's parameters and where the rows go.</summary>
    private sealed class Job(float* x, float* residual, float* weight, float* bias, float* output, int width, float epsilon)
    {
        public void RunRows<TVector, TOps>(long firstRow, long endRow)
            where TVector : struct
            where TOps : struct, IVectorOps<TVector>
        {
            int lanes = TOps.Lanes;
            for (long row = firstRow; row < endRow; row++)
            {
                float* a = x + (row * width);
                float* b = residual + (row * width);
                float* y = output + (row * width);
                TVector sum = TOps.Zero;
                for (int k = 0; k < width; k += lanes)
                {
                    TVector v = TOps.Add(TOps.Load(a + k), TOps.Load(b + k));
                    TOps.Store(v, y + k);
                    sum = TOps.Add(sum, v);
                }

                TVector mean = TOps.Broadcast(TOps.Sum(sum) / width);
                TVector squares = TOps.Zero;
                for (int k = 0; k < width; k += lanes)
                {
                    TVector deviation = TOps.Subtract(TOps.Load(y + k), mean);
                    squares = TOps.MultiplyAdd(deviation, deviation, squares);
                }

                TVector scale = TOps.Broadcast(1f / MathF.Sqrt((TOps.Sum(squares) / width) + epsilon));
                for (int k = 0; k < width; k += lanes)
                {
                    TVector normalized = TOps.Multiply(TOps.Subtract(TOps.Load(y + k), mean), scale);
                    TOps.Store(TOps.MultiplyAdd(normalized, TOps.Load(weight + k), TOps.Load(bias + k)), y + k);
                }
            }
        }
    }
}
