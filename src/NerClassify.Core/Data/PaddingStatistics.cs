namespace NerClassify.Data;

/// <summary>How much of a set of batches is padding.</summary>
/// <param name="BatchCount">The number of batches.</param>
/// <param name="PaddingTokens">Padding positions over all batches.</param>
/// <param name="TotalTokens">All positions (batch size times length) over all batches.</param>
/// <param name="MeanBatchShare">The mean over batches of each batch's padding share.</param>
internal readonly record struct PaddingStatistics(int BatchCount, long PaddingTokens, long TotalTokens, double MeanBatchShare)
{
    /// <summary>Padding positions divided by all positions.</summary>
    public double OverallShare => TotalTokens == 0 ? 0 : (double)PaddingTokens / TotalTokens;

    /// <summary>Measures batches.</summary>
    /// <param name="batches">The batches.</param>
    /// <returns>The statistics.</returns>
    public static PaddingStatistics Compute(IEnumerable<Batch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        int count = 0;
        long padding = 0;
        long total = 0;
        double shareSum = 0;
        foreach (var batch in batches)
        {
            count++;
            padding += batch.PaddingTokenCount;
            total += (long)batch.BatchSize * batch.SequenceLength;
            shareSum += batch.PaddingShare;
        }

        return new PaddingStatistics(count, padding, total, count == 0 ? 0 : shareSum / count);
    }
}
