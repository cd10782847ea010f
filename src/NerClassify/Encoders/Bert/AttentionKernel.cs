using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// Multi-head scaled dot-product attention for inference, straight from the fused query/key/value projection
/// ([B, T, 3H]) into the layout the attention-output projection reads ([B, T, H]), for the same cases as
/// <see cref="ProjectionKernel"/> (inside its forward pass, no gradient, float32 on the CPU).
/// </summary>
/// <remarks>
/// LibTorch's <c>scaled_dot_product_attention</c> on one thread took 70-90 microseconds a layer at 1 x 32 tokens and
/// about 1.8 ms at 32 x 32, plus the transpose and copy around it. Here each (sentence, head) pair is one work item,
/// split between the projection kernel's threads: the keys are transposed once into a small buffer, each query row's
/// scores are 16-lane multiply-adds over the key positions, the softmax subtracts the row maximum, and the weighted
/// values are accumulated along the head dimension. Head sizes must be a multiple of 16; otherwise, and outside a
/// forward pass, <see cref="TryAttend"/> returns null and the module runs LibTorch's attention.
/// </remarks>
internal static unsafe class AttentionKernel
{
    private const int Lanes = 16;

    // Below this many multiply-adds one thread finishes before a second would start.
    private const long ParallelThreshold = 1L << 18;

    /// <summary>
    /// Attention over <paramref name="projected"/> ([B, T, 3H]: queries, keys, values, each [heads x headSize]),
    /// with <paramref name="additiveMask"/> ([B, 1, 1, T] or null) added to the scaled scores; null when the kernel
    /// does not apply.
    /// </summary>
    public static Tensor? TryAttend(Tensor projected, Tensor? additiveMask, long heads, long headSize)
    {
        int threads = ProjectionKernel.ThreadsOfThisForward;
        if (threads == 0 || headSize % Lanes != 0 || projected.dim() != 3 || projected.dtype != ScalarType.Float32
            || !projected.is_contiguous() || (additiveMask is not null && (additiveMask.dtype != ScalarType.Float32 || !additiveMask.is_contiguous())))
        {
            return null;
        }

        long batch = projected.shape[0];
        long length = projected.shape[1];
        long hidden = heads * headSize;
        if (projected.shape[2] != 3 * hidden)
        {
            return null;
        }

        Tensor context = empty(batch, length, hidden, ScalarType.Float32);
        var job = new Job(
            ProjectionKernel.DataOf(projected),
            additiveMask is null ? null : ProjectionKernel.DataOf(additiveMask),
            ProjectionKernel.DataOf(context),
            (int)batch,
            (int)length,
            (int)heads,
            (int)headSize);
        job.Run(threads);
        return context;
    }

    /// <summary>One call: where the projections, the mask and the context live, and their shape.</summary>
    private sealed class Job(float* projected, float* mask, float* context, int batch, int length, int heads, int headSize)
    {
        private readonly int _paddedLength = (length + Lanes - 1) / Lanes * Lanes;
        private readonly float _scale = 1f / MathF.Sqrt(headSize);

        public void Run(int threads)
        {
            int pairs = batch * heads;
            long multiplyAdds = 2L * pairs * length * length * headSize;
            KernelThreads.Shared.Split(pairs, multiplyAdds < ParallelThreshold ? 1 : threads, (first, end) => RunPairs((int)first, (int)end));
        }

        private void RunPairs(int firstPair, int endPair)
        {
            // Transposed keys [headSize, paddedLength], the mask row and one row of scores.
            nuint floats = (nuint)((headSize * _paddedLength) + (2 * _paddedLength));
            float* buffer = (float*)NativeMemory.AlignedAlloc(floats * sizeof(float), 64);
            try
            {
                for (int pair = firstPair; pair < endPair; pair++)
                {
                    float* keysTransposed = buffer;
                    float* maskRow = keysTransposed + (headSize * _paddedLength);
                    Attend(pair / heads, pair % heads, keysTransposed, maskRow, maskRow + _paddedLength);
                }
            }
            finally
            {
                NativeMemory.AlignedFree(buffer);
            }
        }

        private void Attend(int sentence, int head, float* keysTransposed, float* maskRow, float* scores)
        {
            int hidden = heads * headSize;
            int rowStride = 3 * hidden;
            float* rows = projected + ((long)sentence * length * rowStride);
            float* queries = rows + (head * headSize);
            float* keys = rows + hidden + (head * headSize);
            float* values = rows + (2 * hidden) + (head * headSize);
            float* output = context + ((long)sentence * length * hidden) + (head * headSize);
            // The additive mask of this sentence, and the lowest float past its end, so padded lanes weigh nothing.
            for (int j = 0; j < _paddedLength; j++)
            {
                maskRow[j] = j >= length ? float.MinValue : mask is null ? 0f : mask[((long)sentence * length) + j];
            }

            for (int d = 0; d < headSize; d++)
            {
                float* column = keysTransposed + (d * _paddedLength);
                for (int j = 0; j < length; j++)
                {
                    column[j] = keys[(j * rowStride) + d];
                }

                for (int j = length; j < _paddedLength; j++)
                {
                    column[j] = 0f;
                }
            }

            var scale = Vector512.Create(_scale);
            for (int i = 0; i < length; i++)
            {
                float* query = queries + (i * rowStride);
                Vector512<float> highest = Vector512.Create(float.MinValue);
                for (int j = 0; j < _paddedLength; j += Lanes)
                {
                    // Four partial sums, so consecutive multiply-adds do not wait on each other.
                    Vector512<float> sum0 = Vector512<float>.Zero, sum1 = Vector512<float>.Zero;
                    Vector512<float> sum2 = Vector512<float>.Zero, sum3 = Vector512<float>.Zero;
                    float* column = keysTransposed + j;
                    for (int d = 0; d < headSize; d += 4)
                    {
                        sum0 = Vector512.FusedMultiplyAdd(Vector512.Create(query[d]), Vector512.Load(column + (d * _paddedLength)), sum0);
                        sum1 = Vector512.FusedMultiplyAdd(Vector512.Create(query[d + 1]), Vector512.Load(column + ((d + 1) * _paddedLength)), sum1);
                        sum2 = Vector512.FusedMultiplyAdd(Vector512.Create(query[d + 2]), Vector512.Load(column + ((d + 2) * _paddedLength)), sum2);
                        sum3 = Vector512.FusedMultiplyAdd(Vector512.Create(query[d + 3]), Vector512.Load(column + ((d + 3) * _paddedLength)), sum3);
                    }

                    Vector512<float> score = ((sum0 + sum1 + (sum2 + sum3)) * scale) + Vector512.Load(maskRow + j);
                    score.Store(scores + j);
                    highest = Vector512.Max(highest, score);
                }

                // The softmax, with the row maximum subtracted.
                Vector256<float> high8 = Vector256.Max(highest.GetLower(), highest.GetUpper());
                Vector128<float> high4 = Vector128.Max(high8.GetLower(), high8.GetUpper());
                float maximum = MathF.Max(MathF.Max(high4[0], high4[1]), MathF.Max(high4[2], high4[3]));
                var top = Vector512.Create(maximum);
                Vector512<float> total = Vector512<float>.Zero;
                for (int j = 0; j < _paddedLength; j += Lanes)
                {
                    Vector512<float> weight = KernelMath.Exp(Vector512.Load(scores + j) - top);
                    weight.Store(scores + j);
                    total += weight;
                }

                float inverse = 1f / Vector512.Sum(total);
                WeightedValues(scores, inverse, values, rowStride, output + ((long)i * hidden));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WeightedValues(float* weights, float inverse, float* values, int rowStride, float* output)
        {
            for (int d = 0; d < headSize; d += Lanes)
            {
                // Four partial sums over the positions, so consecutive multiply-adds do not wait on each other.
                Vector512<float> sum0 = Vector512<float>.Zero, sum1 = Vector512<float>.Zero;
                Vector512<float> sum2 = Vector512<float>.Zero, sum3 = Vector512<float>.Zero;
                float* value = values + d;
                int j = 0;
                for (; j + 4 <= length; j += 4)
                {
                    sum0 = Vector512.FusedMultiplyAdd(Vector512.Create(weights[j]), Vector512.Load(value + (j * rowStride)), sum0);
                    sum1 = Vector512.FusedMultiplyAdd(Vector512.Create(weights[j + 1]), Vector512.Load(value + ((j + 1) * rowStride)), sum1);
                    sum2 = Vector512.FusedMultiplyAdd(Vector512.Create(weights[j + 2]), Vector512.Load(value + ((j + 2) * rowStride)), sum2);
                    sum3 = Vector512.FusedMultiplyAdd(Vector512.Create(weights[j + 3]), Vector512.Load(value + ((j + 3) * rowStride)), sum3);
                }

                for (; j < length; j++)
                {
                    sum0 = Vector512.FusedMultiplyAdd(Vector512.Create(weights[j]), Vector512.Load(value + (j * rowStride)), sum0);
                }

                ((sum0 + sum1 + (sum2 + sum3)) * Vector512.Create(inverse)).Store(output + d);
            }
        }
    }
}
