namespace NerClassify.Metrics;

/// <summary>
/// Argument checks shared by the metrics: both sides non-null, equally long, sentence by sentence.
/// </summary>
internal static class SequenceGuard
{
    /// <summary>
    /// Throws unless <paramref name="gold"/> and <paramref name="predicted"/> hold the same number of
    /// non-null sentences and each pair of sentences has the same length.
    /// </summary>
    public static void CheckSentences<TGold, TPredicted>(
        IReadOnlyList<IReadOnlyList<TGold>> gold,
        IReadOnlyList<IReadOnlyList<TPredicted>> predicted,
        string goldName,
        string predictedName)
    {
        ArgumentNullException.ThrowIfNull(gold, goldName);
        ArgumentNullException.ThrowIfNull(predicted, predictedName);
        if (gold.Count != predicted.Count)
        {
            throw new ArgumentException(
                $"There are {predicted.Count} predicted sentences but {gold.Count} gold sentences.",
                predictedName);
        }

        for (var i = 0; i < gold.Count; i++)
        {
            if (gold[i] is null)
            {
                throw new ArgumentException($"Sentence {i} is null.", goldName);
            }

            if (predicted[i] is null)
            {
                throw new ArgumentException($"Sentence {i} is null.", predictedName);
            }

            if (gold[i].Count != predicted[i].Count)
            {
                throw new ArgumentException(
                    $"Sentence {i} has {predicted[i].Count} predicted tags but {gold[i].Count} gold tags.",
                    predictedName);
            }
        }
    }
}
