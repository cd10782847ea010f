namespace NerClassify.Data;

/// <summary>How sequences are grouped into batches. Change options with <c>with</c>.</summary>
internal sealed record BatchingOptions
{
    /// <summary>The default options: 16 per batch, shuffled, length-bucketed in pools of 50 batches, seed 0.</summary>
    public static BatchingOptions Default { get; } = new();

    /// <summary>The number of sequences per batch (the last batch may be smaller). Default 16.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Whether to shuffle (items, then batch order). Default true. Without shuffling the order is the input order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Whether to group sequences of similar length so batches carry little padding. Default true.</summary>
    public bool LengthBucketing { get; init; } = true;

    /// <summary>With bucketing, how many batches' worth of items are sorted by length together. Default 50.</summary>
    public int PoolBatches { get; init; } = 50;

    /// <summary>The seed of <c>new Random(seed)</c>; use a different one per epoch. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(PoolBatches, 1);
    }
}
