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
            int parts = multiplyAdds < ParallelThreshold ? 1 : Math.Clamp(threads, 1, pairs);
            if (parts == 1 || !KernelThreads.Shared.TryRun(parts, part => RunPairs(pairs * part / parts, pairs * (part + 1) / parts)))
            {
                RunPairs(0, pairs);
            }
        }

        private void RunPairs(int firstPair, int endPair)
        {
            // Transposed keys [headSize, paddedLength] and one row of scores.
            nuint floats = (nuint)((headSize * _paddedLength) + _paddedLength);
            float* buffer = (float*)NativeMemory.AlignedAlloc(floats * sizeof(float), 64);
            try
            {
                for (int pair = firstPair; pair < endPair; pair++)
                {
                    Attend(pair / heads, pair % heads, buffer, buffer + (headSize * _paddedLength));
                }
            }
            finally
            {
                NativeMemory.AlignedFree(buffer);
            }
        }

        private void Attend(int sentence, int head, float* keysTransposed, float* scores)
        {
            int hidden = heads * headSize;
            int rowStride = 3 * hidden;
            float* rows = projected + ((long)sentence * length * rowStride);
            float* queries = rows + (head * headSize);
            float* keys = rows + hidden + (head * headSize);
            float* values = rows + (2 * hidden) + (head * headSize);
            float* output = context + ((long)sentence * length * hidden) + (head * headSize);
            float* maskRow = mask is null ? null : mask + ((long)sentence * length);

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
                for (int j = 0; j < _paddedLength; j += Lanes)
                {
                    Vector512<float> sum = Vector512<float>.Zero;
                    for (int d = 0; d < headSize; d++)
                    {
                        sum = Vector512.FusedMultiplyAdd(Vector512.Create(query[d]), Vector512.Load(keysTransposed + (d * _paddedLength) + j), sum);
                    }

                    (sum * scale).Store(scores + j);
                }

                // Mask, then the softmax with the row maximum subtracted; positions past the end weigh nothing.
                float maximum = float.MinValue;
                for (int j = 0; j < length; j++)
                {
                    float score = maskRow is null ? scores[j] : scores[j] + maskRow[j];
                    scores[j] = score;
                    maximum = MathF.Max(maximum, score);
                }

                for (int j = length; j < _paddedLength; j++)
                {
                    scores[j] = float.MinValue;
                }

                var top = Vector512.Create(maximum);
                Vector512<float> total = Vector512<float>.Zero;
                for (int j = 0; j < _paddedLength; j += Lanes)
                {
                    Vector512<float> weight = Vector512.Exp(Vector512.Load(scores + j) - top);
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
                Vector512<float> sum = Vector512<float>.Zero;
                for (int j = 0; j < length; j++)
                {
                    sum = Vector512.FusedMultiplyAdd(Vector512.Create(weights[j]), Vector512.Load(values + (j * rowStride) + d), sum);
                }

                (sum * Vector512.Create(inverse)).Store(output + d);
            }
        }
    }
}
