using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
/// split between the projection kernel's threads: the keys are transposed once into a small buffer (by gathers), the
/// query rows go eight at a time, so that every key or value vector loaded feeds eight independent multiply-adds
/// (scores over the key positions, then weighted values along the head dimension), and the softmax subtracts the
/// row maximum. Eight-row blocks and gathered transposes took attention at 32 x 32 tokens from 0.66-0.71 ms a
/// layer to 0.43-0.45 ms (medians), and at 8 x 128 from 2.5 ms to 1.1 ms. Head sizes must be a multiple of 16; otherwise, and
/// outside a forward pass, <see cref="TryAttend"/> returns null and the module runs LibTorch's attention.
/// </remarks>
internal static unsafe class AttentionKernel
{
    private const int Lanes = 16;

    // Query rows scored and weighted together, so that each loaded key or value vector feeds eight multiply-adds.
    private const int RowsPerBlock = 8;

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

        long batch = projected.size(0);
        long length = projected.size(1);
        long hidden = heads * headSize;
        if (projected.size(2) != 3 * hidden)
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
            // Transposed keys [headSize, paddedLength], the mask row and the scores of a block of query rows.
            nuint floats = (nuint)((headSize * _paddedLength) + ((1 + RowsPerBlock) * _paddedLength));
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

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

            TransposeKeys(keys, rowStride, keysTransposed);
            int i = 0;
            for (; i + RowsPerBlock <= length; i += RowsPerBlock)
            {
                ScoreBlock(queries + (i * rowStride), rowStride, keysTransposed, maskRow, scores);
                for (int r = 0; r < RowsPerBlock; r++)
                {
                    Softmax(scores + (r * _paddedLength));
                }

                WeightBlock(scores, values, rowStride, output + ((long)i * hidden), hidden);
            }

            for (; i < length; i++)
            {
                ScoreRow(queries + (i * rowStride), keysTransposed, maskRow, scores);
                Softmax(scores);
                WeightRow(scores, values, rowStride, output + ((long)i * hidden));
            }
        }

        /// <summary>
        /// Keys [length, headSize] at <paramref name="rowStride"/> into [headSize, paddedLength], eight positions per
        /// gather (.NET has no 512-bit gather); positions past the end repeat the last key, which the mask row then weighs at zero.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TransposeKeys(float* keys, int rowStride, float* keysTransposed)
        {
            const int Half = Lanes / 2;
            for (int j = 0; j < _paddedLength; j += Half)
            {
                Vector256<int> positions = Vector256.Min(Vector256.Create(j) + Vector256<int>.Indices, Vector256.Create(length - 1));
                Vector256<int> offsets = (positions - Vector256.Create(j)) * rowStride;
                float* first = keys + ((long)j * rowStride);
                for (int d = 0; d < headSize; d++)
                {
                    Avx2.GatherVector256(first + d, offsets, sizeof(float)).Store(keysTransposed + (d * _paddedLength) + j);
                }
            }
        }

        /// <summary>
        /// The scaled, masked scores of <see cref="RowsPerBlock"/> query rows against every key, into
        /// [RowsPerBlock, paddedLength]: eight independent multiply-add chains share each loaded key vector.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ScoreBlock(float* query, int rowStride, float* keysTransposed, float* maskRow, float* scores)
        {
            float* q1 = query + rowStride, q2 = q1 + rowStride, q3 = q2 + rowStride, q4 = q3 + rowStride;
            float* q5 = q4 + rowStride, q6 = q5 + rowStride, q7 = q6 + rowStride;
            var scale = Vector512.Create(_scale);
            for (int j = 0; j < _paddedLength; j += Lanes)
            {
                Vector512<float> s0 = Vector512<float>.Zero, s1 = Vector512<float>.Zero, s2 = Vector512<float>.Zero, s3 = Vector512<float>.Zero;
                Vector512<float> s4 = Vector512<float>.Zero, s5 = Vector512<float>.Zero, s6 = Vector512<float>.Zero, s7 = Vector512<float>.Zero;
                float* column = keysTransposed + j;
                for (int d = 0; d < headSize; d++)
                {
                    Vector512<float> key = Vector512.Load(column + (d * _paddedLength));
                    s0 = Vector512.FusedMultiplyAdd(Vector512.Create(query[d]), key, s0);
                    s1 = Vector512.FusedMultiplyAdd(Vector512.Create(q1[d]), key, s1);
                    s2 = Vector512.FusedMultiplyAdd(Vector512.Create(q2[d]), key, s2);
                    s3 = Vector512.FusedMultiplyAdd(Vector512.Create(q3[d]), key, s3);
                    s4 = Vector512.FusedMultiplyAdd(Vector512.Create(q4[d]), key, s4);
                    s5 = Vector512.FusedMultiplyAdd(Vector512.Create(q5[d]), key, s5);
                    s6 = Vector512.FusedMultiplyAdd(Vector512.Create(q6[d]), key, s6);
                    s7 = Vector512.FusedMultiplyAdd(Vector512.Create(q7[d]), key, s7);
                }

                Vector512<float> maskPart = Vector512.Load(maskRow + j);
                float* target = scores + j;
                Vector512.FusedMultiplyAdd(s0, scale, maskPart).Store(target);
                Vector512.FusedMultiplyAdd(s1, scale, maskPart).Store(target + _paddedLength);
                Vector512.FusedMultiplyAdd(s2, scale, maskPart).Store(target + (2 * _paddedLength));
                Vector512.FusedMultiplyAdd(s3, scale, maskPart).Store(target + (3 * _paddedLength));
                Vector512.FusedMultiplyAdd(s4, scale, maskPart).Store(target + (4 * _paddedLength));
                Vector512.FusedMultiplyAdd(s5, scale, maskPart).Store(target + (5 * _paddedLength));
                Vector512.FusedMultiplyAdd(s6, scale, maskPart).Store(target + (6 * _paddedLength));
                Vector512.FusedMultiplyAdd(s7, scale, maskPart).Store(target + (7 * _paddedLength));
            }
        }

        /// <summary>The scaled, masked scores of one query row, for the rows left over after the blocks.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ScoreRow(float* query, float* keysTransposed, float* maskRow, float* scores)
        {
            var scale = Vector512.Create(_scale);
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

                Vector512.FusedMultiplyAdd(sum0 + sum1 + (sum2 + sum3), scale, Vector512.Load(maskRow + j)).Store(scores + j);
            }
        }

        /// <summary>One row of scores into softmax weights, in place, with the row maximum subtracted first.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Softmax(float* scores)
        {
            Vector512<float> highest = Vector512.Load(scores);
            for (int j = Lanes; j < _paddedLength; j += Lanes)
            {
                highest = Vector512.Max(highest, Vector512.Load(scores + j));
            }

            Vector256<float> high8 = Vector256.Max(highest.GetLower(), highest.GetUpper());
            Vector128<float> high4 = Vector128.Max(high8.GetLower(), high8.GetUpper());
            var top = Vector512.Create(MathF.Max(MathF.Max(high4[0], high4[1]), MathF.Max(high4[2], high4[3])));
            Vector512<float> total = Vector512<float>.Zero;
            for (int j = 0; j < _paddedLength; j += Lanes)
            {
                Vector512<float> weight = KernelMath.Exp(Vector512.Load(scores + j) - top);
                weight.Store(scores + j);
                total += weight;
            }

            var inverse = Vector512.Create(1f / Vector512.Sum(total));
            for (int j = 0; j < _paddedLength; j += Lanes)
            {
                (Vector512.Load(scores + j) * inverse).Store(scores + j);
            }
        }

        /// <summary>
        /// The weighted values of <see cref="RowsPerBlock"/> rows of softmax weights: eight independent multiply-add
        /// chains share each loaded value vector.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WeightBlock(float* weights, float* values, int rowStride, float* output, int outputStride)
        {
            int stride = _paddedLength;
            for (int d = 0; d < headSize; d += Lanes)
            {
                Vector512<float> s0 = Vector512<float>.Zero, s1 = Vector512<float>.Zero, s2 = Vector512<float>.Zero, s3 = Vector512<float>.Zero;
                Vector512<float> s4 = Vector512<float>.Zero, s5 = Vector512<float>.Zero, s6 = Vector512<float>.Zero, s7 = Vector512<float>.Zero;
                float* value = values + d;
                for (int j = 0; j < length; j++)
                {
                    Vector512<float> v = Vector512.Load(value + ((long)j * rowStride));
                    float* w = weights + j;
                    s0 = Vector512.FusedMultiplyAdd(Vector512.Create(w[0]), v, s0);
                    s1 = Vector512.FusedMultiplyAdd(Vector512.Create(w[stride]), v, s1);
                    s2 = Vector512.FusedMultiplyAdd(Vector512.Create(w[2 * stride]), v, s2);
                    s3 = Vector512.FusedMultiplyAdd(Vector512.Create(w[3 * stride]), v, s3);
                    s4 = Vector512.FusedMultiplyAdd(Vector512.Create(w[4 * stride]), v, s4);
                    s5 = Vector512.FusedMultiplyAdd(Vector512.Create(w[5 * stride]), v, s5);
                    s6 = Vector512.FusedMultiplyAdd(Vector512.Create(w[6 * stride]), v, s6);
                    s7 = Vector512.FusedMultiplyAdd(Vector512.Create(w[7 * stride]), v, s7);
                }

                float* target = output + d;
                s0.Store(target);
                s1.Store(target + outputStride);
                s2.Store(target + (2 * outputStride));
                s3.Store(target + (3 * outputStride));
                s4.Store(target + (4 * outputStride));
                s5.Store(target + (5 * outputStride));
                s6.Store(target + (6 * outputStride));
                s7.Store(target + (7 * outputStride));
            }
        }

        /// <summary>The weighted values of one row of softmax weights, for the rows left over after the blocks.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WeightRow(float* weights, float* values, int rowStride, float* output)
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

                (sum0 + sum1 + (sum2 + sum3)).Store(output + d);
            }
        }
    }
}
