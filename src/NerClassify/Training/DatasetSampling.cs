namespace NerClassify.Training;

/// <summary>Reproducible subsets of a dataset.</summary>
internal static class DatasetSampling
{
    /// <summary>Picks <paramref name="count"/> distinct items at random with <c>new Random(seed)</c>; the same seed gives the same subset.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items to draw from.</param>
    /// <param name="count">How many to draw, at most <c>items.Count</c>.</param>
    /// <param name="seed">The random seed.</param>
    /// <returns>The chosen items, in their original order.</returns>
    public static IReadOnlyList<T> RandomSubset<T>(IReadOnlyList<T> items, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, items.Count);
        var indices = new int[items.Count];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = i;
        }

        // Partial Fisher-Yates: the first `count` slots end up a uniform sample.
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int j = random.Next(i, indices.Length);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }

        Array.Sort(indices, 0, count);
        var result = new T[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = items[indices[i]];
        }

        return result;
    }

    /// <summary>The first <paramref name="count"/> items (for a sentence-label file: the N-example training set).</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items.</param>
    /// <param name="count">How many to take, at most <c>items.Count</c>.</param>
    /// <returns>The first items, in order.</returns>
    public static IReadOnlyList<T> First<T>(IReadOnlyList<T> items, int count)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, items.Count);
        var result = new T[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = items[i];
        }

        return result;
    }
}
