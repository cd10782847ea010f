using NerClassify.Tokenization;

namespace NerClassify.Data;

/// <summary>
/// Groups sequences into batches. With length bucketing: shuffle, take pools of <see cref="BatchingOptions.PoolBatches"/>
/// batches' worth of items, sort each pool by length, cut it into batches, then shuffle the batch order, so each batch
/// holds sequences of similar length while the epoch stays random.
/// </summary>
internal static class BatchPlanner
{
    /// <summary>Plans batches as lists of item indices.</summary>
    /// <param name="lengths">The length of each item.</param>
    /// <param name="options">Batching options; <see cref="BatchingOptions.Default"/> when null.</param>
    /// <returns>The batches; every index appears exactly once.</returns>
    public static IReadOnlyList<int[]> Plan(IReadOnlyList<int> lengths, BatchingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        options ??= BatchingOptions.Default;
        options.Validate();
        var random = new Random(options.Seed);
        var order = new int[lengths.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        if (options.Shuffle)
        {
            random.Shuffle(order);
        }

        if (options.LengthBucketing)
        {
            int pool = options.PoolBatches * options.BatchSize;
            var keys = new int[order.Length];
            for (int i = 0; i < order.Length; i++)
            {
                keys[i] = lengths[order[i]];
            }

            for (int start = 0; start < order.Length; start += pool)
            {
                int count = Math.Min(pool, order.Length - start);

                // Array.Sort is not stable; ties keep a deterministic (seeded) order because the input order is.
                Array.Sort(keys, order, start, count);
            }
        }

        var batches = new List<int[]>((order.Length + options.BatchSize - 1) / options.BatchSize);
        for (int start = 0; start < order.Length; start += options.BatchSize)
        {
            batches.Add(order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray());
        }

        if (options.Shuffle && options.LengthBucketing)
        {
            var shuffled = batches.ToArray();
            random.Shuffle(shuffled);
            return shuffled;
        }

        return batches;
    }

    /// <summary>Plans and collates batches.</summary>
    /// <param name="items">The sequences.</param>
    /// <param name="padId">The [PAD] id of the vocabulary.</param>
    /// <param name="options">Batching options; <see cref="BatchingOptions.Default"/> when null.</param>
    /// <returns>The batches, in epoch order.</returns>
    public static IReadOnlyList<Batch> CreateBatches(IReadOnlyList<EncodedSentence> items, long padId, BatchingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        var lengths = new int[items.Count];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = items[i].Length;
        }

        var plan = Plan(lengths, options);
        var batches = new Batch[plan.Count];
        for (int b = 0; b < batches.Length; b++)
        {
            var rows = new EncodedSentence[plan[b].Length];
            for (int r = 0; r < rows.Length; r++)
            {
                rows[r] = items[plan[b][r]];
            }

            batches[b] = BatchCollator.Collate(rows, padId);
        }

        return batches;
    }
}
