namespace NerClassify.Metrics;

/// <summary>
/// The share of words whose predicted tag equals the gold tag (ordinal string comparison).
/// Pass word-level sequences: one tag per word, not per subword.
/// </summary>
internal static class TokenAccuracy
{
    /// <summary>
    /// Computes accuracy over every position of every sentence; nothing is ignored, so each tag must be
    /// non-null. This is conlleval's token accuracy, and the value in <see cref="EntityReport.TokenAccuracy"/>.
    /// </summary>
    /// <param name="gold">The true tags, one sentence per item.</param>
    /// <param name="predicted">The predicted tags, shaped like <paramref name="gold"/>.</param>
    /// <returns>Correct positions over all positions; 0 when there are no positions.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The sentence counts or the lengths of a sentence differ, or a sentence or a tag is null; the
    /// message names the sentence.
    /// </exception>
    public static double Compute(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<IReadOnlyList<string>> predicted)
    {
        SequenceGuard.CheckSentences(gold, predicted, nameof(gold), nameof(predicted));
        var (correct, total) = Count(gold, predicted, nameof(gold), nameof(predicted), ignoreLabel: null, skipNullGold: false);
        return ScoreMath.Ratio(correct, total);
    }

    /// <summary>
    /// Computes accuracy over the positions whose gold tag is neither null nor <paramref name="ignoreLabel"/>.
    /// Use it where words carry no gold label (a marker such as <c>"-100"</c>, or null). Predictions at
    /// ignored positions are not read and may be null.
    /// </summary>
    /// <param name="gold">The true tags, one sentence per item; null or <paramref name="ignoreLabel"/> marks a position to skip.</param>
    /// <param name="predicted">The predicted tags, shaped like <paramref name="gold"/>.</param>
    /// <param name="ignoreLabel">A gold tag that marks a position to skip, or null to skip only null gold tags.</param>
    /// <returns>Correct positions over counted positions; 0 when no position is counted.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="gold"/> or <paramref name="predicted"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The sentence counts or the lengths of a sentence differ, a sentence is null, or a counted position
    /// has a null prediction; the message names the sentence.
    /// </exception>
    public static double Compute(
        IReadOnlyList<IReadOnlyList<string?>> gold,
        IReadOnlyList<IReadOnlyList<string?>> predicted,
        string? ignoreLabel)
    {
        SequenceGuard.CheckSentences(gold, predicted, nameof(gold), nameof(predicted));
        var (correct, total) = Count(gold, predicted, nameof(gold), nameof(predicted), ignoreLabel, skipNullGold: true);
        return ScoreMath.Ratio(correct, total);
    }

    /// <summary>Counts correct and counted positions; sentence shapes must already be checked.</summary>
    internal static (int Correct, int Total) Count(
        IReadOnlyList<IReadOnlyList<string?>> gold,
        IReadOnlyList<IReadOnlyList<string?>> predicted,
        string goldName,
        string predictedName,
        string? ignoreLabel,
        bool skipNullGold)
    {
        var correct = 0;
        var total = 0;
        for (var s = 0; s < gold.Count; s++)
        {
            for (var i = 0; i < gold[s].Count; i++)
            {
                var truth = gold[s][i];
                if (truth is null)
                {
                    if (skipNullGold)
                    {
                        continue;
                    }

                    throw new ArgumentException($"Sentence {s}, position {i}, holds a null tag.", goldName);
                }

                if (ignoreLabel is not null && string.Equals(truth, ignoreLabel, StringComparison.Ordinal))
                {
                    continue;
                }

                var guess = predicted[s][i]
                    ?? throw new ArgumentException($"Sentence {s}, position {i}, holds a null tag.", predictedName);
                total++;
                if (string.Equals(truth, guess, StringComparison.Ordinal))
                {
                    correct++;
                }
            }
        }

        return (correct, total);
    }
}
