using NerClassify.Data;

namespace NerClassify.Metrics;

/// <summary>
/// Entity-level precision, recall and F1 for sequence labelling, compatible with conlleval and seqeval.
/// </summary>
public static class EntityMetrics
{
    /// <summary>
    /// Scores predicted tags against gold tags. Entities are read per sentence with
    /// <see cref="EntityExtractor"/>, so none crosses a sentence boundary, and a predicted entity is
    /// correct when a gold entity has the same type, start and end.
    /// </summary>
    /// <param name="gold">The true word-level tags, one sentence per item.</param>
    /// <param name="predicted">The predicted word-level tags, shaped like <paramref name="gold"/>.</param>
    /// <param name="scheme">The label scheme; consulted only in <see cref="EntityMatchingMode.Strict"/> mode.</param>
    /// <param name="mode">
    /// <see cref="EntityMatchingMode.Lenient"/> (the default) gives seqeval's default numbers, which equal
    /// conlleval.pl's on IOB tags; <see cref="EntityMatchingMode.Conlleval"/> gives conlleval.pl's numbers on any
    /// tags, BIOES included; <see cref="EntityMatchingMode.Strict"/> gives seqeval's strict-mode numbers.
    /// </param>
    /// <returns>
    /// The report. With no gold and no predicted entities (all <c>O</c>), every entity score is 0, as in
    /// seqeval and conlleval. <see cref="EntityReport.TokenAccuracy"/> counts every word.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="gold"/> or <paramref name="predicted"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The sentence counts or a sentence's lengths differ, or a sentence or tag is null or malformed; the
    /// message names the sentence, and the parameter name says which side.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scheme"/> or <paramref name="mode"/> is undefined.</exception>
    public static EntityReport Compute(
        IReadOnlyList<IReadOnlyList<string>> gold,
        IReadOnlyList<IReadOnlyList<string>> predicted,
        LabelScheme scheme = LabelScheme.Iob2,
        EntityMatchingMode mode = EntityMatchingMode.Lenient)
    {
        SequenceGuard.CheckSentences(gold, predicted, nameof(gold), nameof(predicted));
        EntityExtractor.CheckOptions(scheme, mode);

        var counts = new Dictionary<string, TypeCounts>(StringComparer.Ordinal);
        if (mode != EntityMatchingMode.Strict)
        {
            for (var s = 0; s < gold.Count; s++)
            {
                EntityExtractor.CheckPresent(gold[s], nameof(gold), s);
                EntityExtractor.CheckPresent(predicted[s], nameof(predicted), s);
            }

            // Both tools count over the whole corpus, not sentence by sentence: seqeval joins the sentences and keeps
            // each side's chunks as sets; conlleval.pl streams the lines and can carry a chunk across a boundary.
            counts = mode == EntityMatchingMode.Lenient ? SeqevalChunks.Count(gold, predicted) : ConllevalChunks.Count(gold, predicted);
        }
        else
        {
            for (var s = 0; s < gold.Count; s++)
            {
                var goldEntities = EntityExtractor.Extract(gold[s], scheme, mode, nameof(gold), s);
                var predictedEntities = EntityExtractor.Extract(predicted[s], scheme, mode, nameof(predicted), s);
                var goldSet = new HashSet<Entity>(goldEntities);
                foreach (var entity in goldEntities)
                {
                    CountsOf(counts, entity.Type).Gold++;
                }

                foreach (var entity in predictedEntities)
                {
                    var typeCounts = CountsOf(counts, entity.Type);
                    typeCounts.Predicted++;
                    if (goldSet.Contains(entity))
                    {
                        typeCounts.Correct++;
                    }
                }
            }
        }

        var perType = counts
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(p => p.Key, p => ScoreMath.Score(p.Value.Correct, p.Value.Predicted, p.Value.Gold), StringComparer.Ordinal);
        var rows = perType.Values;
        var (correctTokens, tokenCount) = TokenAccuracy.Count(gold, predicted, nameof(gold), nameof(predicted), ignoreLabel: null, skipNullGold: false);

        return new EntityReport(
            ScoreMath.Micro(rows),
            ScoreMath.Macro(rows),
            ScoreMath.Weighted(rows),
            perType.AsReadOnly(),
            ScoreMath.Ratio(correctTokens, tokenCount),
            tokenCount,
            scheme,
            mode);
    }

    private static TypeCounts CountsOf(Dictionary<string, TypeCounts> counts, string type)
    {
        if (!counts.TryGetValue(type, out var typeCounts))
        {
            typeCounts = new TypeCounts();
            counts.Add(type, typeCounts);
        }

        return typeCounts;
    }
}
