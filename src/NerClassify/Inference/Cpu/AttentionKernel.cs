using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Inference.Cpu;

/// <summary>
/// Multi-head scaled dot-product attention for inference, straight from the fused query/key/value projection
/// ([B, T, 3H]) into the layout the attention-output projection reads ([B, T, H]), on any <see cref="VectorPath"/>.
/// </summary>
/// <remarks>
/// LibTorch's <c>scaled_dot_product_attention</c> on one thread took 70-90 microseconds a layer at 1 x 32 tokens and
/// about 1.8 ms at 32 x 32, plus the transpose and copy around it. Here each (sentence, head) pair is one work item,
/// split between the kernel threads: the keys are transposed once into a small buffer (by AVX2 gathers where there are
/// any), the query rows go eight at a time, so that every key or value vector loaded feeds eight independent
/// multiply-adds (scores over the key positions, then weighted values along the head dimension), and the softmax
/// subtracts the row maximum. Eight-row blocks and gathered transposes took attention at 32 x 32 tokens from 0.66-0.71
/// ms a layer to 0.43-0.45 ms (medians, 512-bit path), and at 8 x 128 from 2.5 ms to 1.1 ms. Head sizes must be a
/// multiple of 16; otherwise <see cref="TryAttend"/> returns null and the caller runs LibTorch's attention.
/// </remarks>
internal static unsafe class AttentionKernel
{
    // Query rows scored and weighted together, so that each loaded key or value vector feeds eight multiply-adds.
    private const int RowsPerBlock = 8;

    // Below this many multiply-adds one thread finishes before a second would start.
    private const long ParallelThreshold = 1L << 18;

    /// <summary>
    /// Attention over <paramref name="projected"/> ([B, T, 3H]: queries, keys, values, each [heads x headSize]),
    /// with <paramref name="additiveMask"/> ([B, 1, 1, T] or null) added to the scaled scores; null when the kernel
    /// does not apply.
    /// </summary>
    public static Tensor? TryAttend(KernelContext kernel, Tensor projected, Tensor? additiveMask, long heads, long headSize)
    {
        if (headSize % 16 != 0 || projected.dim() != 3 || !TensorMemory.IsContiguousFloatOnCpu(projected)
            || (additiveMask is not null && !TensorMemory.IsContiguousFloatOnCpu(additiveMask)))
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
        float* projectedData = TensorMemory.DataOf(projected);
        float* maskData = additiveMask is null ? null : TensorMemory.DataOf(additiveMask);
        float* contextData = TensorMemory.DataOf(context);
        switch (kernel.Path)
        {
            case VectorPath.Avx512:
                new Job<Vector512<float>, Vector512Ops>(projectedData, maskData, contextData, (int)batch, (int)length, (int)heads, (int)headSize).Run(kernel.Threads);
                break;
            case VectorPath.Avx2:
                new Job<Vector256<float>, Vector256Ops>(projectedData, maskData, contextData, (int)batch, (int)length, (int)heads, (int)headSize).Run(kernel.Threads);
                break;
            default:
                new Job<Vector128<float>, Vector128Ops>(projectedData, maskData, contextData, (int)batch, (int)length, (int)heads, (int)headSize).Run(kernel.Threads);
                break;
        }

        return context;
    }

    /// <summary>One call on one vector width: where the projections, the mask and the context live, and their shape.</summary>
    private sealed class Job<TVector, TOps>(float* projected, float* mask, float* context, int batch, int length, int heads, int headSize)
        where TVector : struct
        where TOps : struct, IVectorOps<TVector>
    {
        private readonly int _paddedLength = (length + TOps.Lanes - 1) / TOps.Lanes * TOps.Lanes;
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

            if (TOps.CanGather)
            {
                GatherKeys(keys, rowStride, keysTransposed);
            }
            else
            {
                CopyKeys(keys, rowStride, keysTransposed);
            }

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
        /// AVX2 gather (.NET has no 512-bit gather); positions past the end repeat the last key, which the mask row then
        /// weighs at zero. Only where <see cref="IVectorOps{TVector}.CanGather"/>: the padded length is then a multiple of 8.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void GatherKeys(float* keys, int rowStride, float* keysTransposed)
        {
            const int Positions = 8;
            for (int j = 0; j < _paddedLength; j += Positions)
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

        /// <summary>The same transpose as <see cref="GatherKeys"/>, one float at a time (no gathers on this path).</summary>
        private void CopyKeys(float* keys, int rowStride, float* keysTransposed)
        {
            for (int j = 0; j < _paddedLength; j++)
            {
                float* key = keys + ((long)Math.Min(j, length - 1) * rowStride);
                for (int d = 0; d < headSize; d++)
                {
                    keysTransposed[(d * _paddedLength) + j] = key[d];
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
            TVector scale = TOps.Broadcast(_scale);
            for (int j = 0; j < _paddedLength; j += TOps.Lanes)
            {
                TVector s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
                TVector s4 = TOps.Zero, s5 = TOps.Zero, s6 = TOps.Zero, s7 = TOps.Zero;
                float* column = keysTransposed + j;
                for (int d = 0; d < headSize; d++)
                {
                    TVector key = TOps.Load(column + (d * _paddedLength));
                    s0 = TOps.MultiplyAdd(TOps.Broadcast(query[d]), key, s0);
                    s1 = TOps.MultiplyAdd(TOps.Broadcast(q1[d]), key, s1);
                    s2 = TOps.MultiplyAdd(TOps.Broadcast(q2[d]), key, s2);
                    s3 = TOps.MultiplyAdd(TOps.Broadcast(q3[d]), key, s3);
                    s4 = TOps.MultiplyAdd(TOps.Broadcast(q4[d]), key, s4);
                    s5 = TOps.MultiplyAdd(TOps.Broadcast(q5[d]), key, s5);
                    s6 = TOps.MultiplyAdd(TOps.Broadcast(q6[d]), key, s6);
                    s7 = TOps.MultiplyAdd(TOps.Broadcast(q7[d]), key, s7);
                }

                TVector maskPart = TOps.Load(maskRow + j);
                float* target = scores + j;
                TOps.Store(TOps.MultiplyAdd(s0, scale, maskPart), target);
                TOps.Store(TOps.MultiplyAdd(s1, scale, maskPart), target + _paddedLength);
                TOps.Store(TOps.MultiplyAdd(s2, scale, maskPart), target + (2 * _paddedLength));
                TOps.Store(TOps.MultiplyAdd(s3, scale, maskPart), target + (3 * _paddedLength));
                TOps.Store(TOps.MultiplyAdd(s4, scale, maskPart), target + (4 * _paddedLength));
                TOps.Store(TOps.MultiplyAdd(s5, scale, maskPart), target + (5 * _paddedLength));
                TOps.Store(TOps.MultiplyAdd(s6, scale, maskPart), target + (6 * _paddedLength));
                TOps.Store(TOps.MultiplyAdd(s7, scale, maskPart), target + (7 * _paddedLength));
            }
        }

        /// <summary>The scaled, masked scores of one query row, for the rows left over after the blocks.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ScoreRow(float* query, float* keysTransposed, float* maskRow, float* scores)
        {
            TVector scale = TOps.Broadcast(_scale);
            for (int j = 0; j < _paddedLength; j += TOps.Lanes)
            {
                // Four partial sums, so consecutive multiply-adds do not wait on each other.
                TVector sum0 = TOps.Zero, sum1 = TOps.Zero, sum2 = TOps.Zero, sum3 = TOps.Zero;
                float* column = keysTransposed + j;
                for (int d = 0; d < headSize; d += 4)
                {
                    sum0 = TOps.MultiplyAdd(TOps.Broadcast(query[d]), TOps.Load(column + (d * _paddedLength)), sum0);
                    sum1 = TOps.MultiplyAdd(TOps.Broadcast(query[d + 1]), TOps.Load(column + ((d + 1) * _paddedLength)), sum1);
                    sum2 = TOps.MultiplyAdd(TOps.Broadcast(query[d + 2]), TOps.Load(column + ((d + 2) * _paddedLength)), sum2);
                    sum3 = TOps.MultiplyAdd(TOps.Broadcast(query[d + 3]), TOps.Load(column + ((d + 3) * _paddedLength)), sum3);
                }

                TVector sum = TOps.Add(TOps.Add(sum0, sum1), TOps.Add(sum2, sum3));
                TOps.Store(TOps.MultiplyAdd(sum, scale, TOps.Load(maskRow + j)), scores + j);
            }
        }

        /// <summary>One row of scores into softmax weights, in place, with the row maximum subtracted first.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Softmax(float* scores)
        {
            TVector highest = TOps.Load(scores);
            for (int j = TOps.Lanes; j < _paddedLength; j += TOps.Lanes)
            {
                highest = TOps.Max(highest, TOps.Load(scores + j));
            }

            TVector top = TOps.Broadcast(TOps.MaxLane(highest));
            TVector total = TOps.Zero;
            for (int j = 0; j < _paddedLength; j += TOps.Lanes)
            {
                TVector weight = KernelMath.Exp<TVector, TOps>(TOps.Subtract(TOps.Load(scores + j), top));
                TOps.Store(weight, scores + j);
                total = TOps.Add(total, weight);
            }

            TVector inverse = TOps.Broadcast(1f / TOps.Sum(total));
            for (int j = 0; j < _paddedLength; j += TOps.Lanes)
            {
                TOps.Store(TOps.Multiply(TOps.Load(scores + j), inverse), scores + j);
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
            for (int d = 0; d < headSize; d += TOps.Lanes)
            {
                TVector s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
                TVector s4 = TOps.Zero, s5 = TOps.Zero, s6 = TOps.Zero, s7 = TOps.Zero;
                float* value = values + d;
                for (int j = 0; j < length; j++)
                {
                    TVector v = TOps.Load(value + ((long)j * rowStride));
                    float* w = weights + j;
                    s0 = TOps.MultiplyAdd(TOps.Broadcast(w[0]), v, s0);
                    s1 = TOps.MultiplyAdd(TOps.Broadcast(w[stride]), v, s1);
                    s2 = TOps.MultiplyAdd(TOps.Broadcast(w[2 * stride]), v, s2);
                    s3 = TOps.MultiplyAdd(TOps.Broadcast(w[3 * stride]), v, s3);
                    s4 = TOps.MultiplyAdd(TOps.Broadcast(w[4 * stride]), v, s4);
                    s5 = TOps.MultiplyAdd(TOps.Broadcast(w[5 * stride]), v, s5);
                    s6 = TOps.MultiplyAdd(TOps.Broadcast(w[6 * stride]), v, s6);
                    s7 = TOps.MultiplyAdd(TOps.Broadcast(w[7 * stride]), v, s7);
                }

                float* target = output + d;
                TOps.Store(s0, target);
                TOps.Store(s1, target + outputStride);
                TOps.Store(s2, target + (2 * outputStride));
                TOps.Store(s3, target + (3 * outputStride));
                TOps.Store(s4, target + (4 * outputStride));
                TOps.Store(s5, target + (5 * outputStride));
                TOps.Store(s6, target + (6 * outputStride));
                TOps.Store(s7, target + (7 * outputStride));
            }
        }

        /// <summary>The weighted values of one row of softmax weights, for the rows left over after the blocks.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WeightRow(float* weights, float* values, int rowStride, float* output)
        {
            for (int d = 0; d < headSize; d += TOps.Lanes)
            {
                // Four partial sums over the positions, so consecutive multiply-adds do not wait on each other.
                TVector sum0 = TOps.Zero, sum1 = TOps.Zero, sum2 = TOps.Zero, sum3 = TOps.Zero;
                float* value = values + d;
                int j = 0;
                for (; j + 4 <= length; j += 4)
                {
                    sum0 = TOps.MultiplyAdd(TOps.Broadcast(weights[j]), TOps.Load(value + (j * rowStride)), sum0);
                    sum1 = TOps.MultiplyAdd(TOps.Broadcast(weights[j + 1]), TOps.Load(value + ((j + 1) * rowStride)), sum1);
                    sum2 = TOps.MultiplyAdd(TOps.Broadcast(weights[j + 2]), TOps.Load(value + ((j + 2) * rowStride)), sum2);
                    sum3 = TOps.MultiplyAdd(TOps.Broadcast(weights[j + 3]), TOps.Load(value + ((j + 3) * rowStride)), sum3);
                }

                for (; j < length; j++)
                {
                    sum0 = TOps.MultiplyAdd(TOps.Broadcast(weights[j]), TOps.Load(value + (j * rowStride)), sum0);
                }

                TOps.Store(TOps.Add(TOps.Add(sum0, sum1), TOps.Add(sum2, sum3)), output + d);
            }
        }
    }
}
