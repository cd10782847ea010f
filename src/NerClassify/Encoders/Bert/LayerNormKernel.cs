using System.Runtime.Intrinsics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// <c>LayerNorm(x + residual)</c> for inference, the last step of <c>BertSelfOutput</c> and <c>BertOutput</c>, in one
/// pass per row split between the projection kernel's threads, for the same cases as <see cref="ProjectionKernel"/>.
/// </summary>
/// <remarks>
/// LibTorch's add and <c>layer_norm</c> on the one thread the forward pass leaves it took about 1 ms a layer at
/// 32 x 32 tokens. Per row: the sum and its mean, then the mean squared deviation (two passes, as LibTorch's
/// reference does), then the scaled and shifted result. The width must be a multiple of 16; otherwise, and outside a
/// forward pass, <see cref="TryAddAndNormalize"/> returns null and the module runs LibTorch's operators.
/// </remarks>
internal static unsafe class LayerNormKernel
{
    private const int Lanes = 16;

    // Below this many values one thread finishes before a second would start.
    private const long ParallelThreshold = 1L << 15;

    /// <summary><c>LayerNorm(x + residual)</c> with <paramref name="norm"/>'s weight and bias; null when the kernel does not apply.</summary>
    public static Tensor? TryAddAndNormalize(Tensor x, Tensor residual, LayerNorm norm, double epsilon)
    {
        int threads = ProjectionKernel.ThreadsOfThisForward;
        Tensor? weight = norm.weight;
        Tensor? bias = norm.bias;
        long width = x.size(-1);
        if (threads == 0 || width % Lanes != 0 || weight is null || bias is null || !SameShapeFloat(x, residual)
            || weight.numel() != width || bias.numel() != width || !weight.is_contiguous() || !bias.is_contiguous())
        {
            return null;
        }

        Tensor output = empty(ProjectionKernel.SizesOf(x), ScalarType.Float32);
        var job = new Job(ProjectionKernel.DataOf(x), ProjectionKernel.DataOf(residual), ProjectionKernel.DataOf(weight),
            ProjectionKernel.DataOf(bias), ProjectionKernel.DataOf(output), x.numel() / width, (int)width, (float)epsilon);
        KernelThreads.Shared.Split(job.Rows, x.numel() < ParallelThreshold ? 1 : threads, job.RunRows);

        return output;
    }

    private static bool SameShapeFloat(Tensor x, Tensor residual) =>
        x.dtype == ScalarType.Float32 && residual.dtype == ScalarType.Float32 && x.is_contiguous() && residual.is_contiguous()
        && HaveSameSizes(x, residual);

    private static bool HaveSameSizes(Tensor x, Tensor y)
    {
        long dims = x.dim();
        if (y.dim() != dims)
        {
            return false;
        }

        for (int i = 0; i < dims; i++)
        {
            if (x.size(i) != y.size(i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One call: the two inputs, the LayerNorm's parameters and where the rows go.</summary>
    private sealed class Job(float* x, float* residual, float* weight, float* bias, float* output, long rows, int width, float epsilon)
    {
        public long Rows => rows;

        public void RunRows(long firstRow, long endRow)
        {
            for (long row = firstRow; row < endRow; row++)
            {
                float* a = x + (row * width);
                float* b = residual + (row * width);
                float* y = output + (row * width);
                Vector512<float> sum = Vector512<float>.Zero;
                for (int k = 0; k < width; k += Lanes)
                {
                    Vector512<float> v = Vector512.Load(a + k) + Vector512.Load(b + k);
                    v.Store(y + k);
                    sum += v;
                }

                var mean = Vector512.Create(Vector512.Sum(sum) / width);
                Vector512<float> squares = Vector512<float>.Zero;
                for (int k = 0; k < width; k += Lanes)
                {
                    Vector512<float> deviation = Vector512.Load(y + k) - mean;
                    squares = Vector512.FusedMultiplyAdd(deviation, deviation, squares);
                }

                var scale = Vector512.Create(1f / MathF.Sqrt((Vector512.Sum(squares) / width) + epsilon));
                for (int k = 0; k < width; k += Lanes)
                {
                    Vector512<float> normalized = (Vector512.Load(y + k) - mean) * scale;
                    Vector512.FusedMultiplyAdd(normalized, Vector512.Load(weight + k), Vector512.Load(bias + k)).Store(y + k);
                }
            }
        }
    }
}
