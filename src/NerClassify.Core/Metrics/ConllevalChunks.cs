namespace NerClassify.Metrics;

/// <summary>
/// conlleval.pl (version 2004-01-26): how it splits a tag, its <c>startOfChunk</c> and <c>endOfChunk</c> rules, and its
/// chunk counting, which streams the whole corpus with a boundary line (tags <c>O</c>, no type) after each sentence.
/// Any tag is accepted, as conlleval.pl accepts any string: everything before the first hyphen is the tag, everything
/// after it the type (no hyphen: no type), so <c>B</c> has the empty type and <c>B-_</c> the type <c>_</c>.
/// </summary>
internal static class ConllevalChunks
{
    /// <summary>Splits a tag as <c>/^([^-]*)-(.*)$/</c> does; a type Perl reads as false (<c>""</c>, <c>"0"</c>) is empty.</summary>
    public static (string Tag, string Type) Split(string tag)
    {
        int hyphen = tag.IndexOf('-', StringComparison.Ordinal);
        if (hyphen < 0)
        {
            return (tag, string.Empty);
        }

        string type = tag[(hyphen + 1)..];
        return (tag[..hyphen], type == "0" ? string.Empty : type);
    }

    /// <summary>Whether a chunk ended between the previous tag and this one (conlleval.pl's <c>endOfChunk</c>).</summary>
    public static bool EndOfChunk(string previousTag, string tag, string previousType, string type) =>
        (previousTag, tag) is ("B", "B") or ("B", "O") or ("I", "B") or ("I", "O") or ("E", "E") or ("E", "I") or ("E", "O")
        || (previousTag is not ("O" or ".") && !string.Equals(previousType, type, StringComparison.Ordinal))
        || previousTag is "]" or "[";

    /// <summary>Whether a chunk started between the previous tag and this one (conlleval.pl's <c>startOfChunk</c>).</summary>
    public static bool StartOfChunk(string previousTag, string tag, string previousType, string type) =>
        (previousTag, tag) is ("B", "B") or ("I", "B") or ("O", "B") or ("O", "I") or ("E", "E") or ("E", "I") or ("O", "E")
        || (tag is not ("O" or ".") && !string.Equals(previousType, type, StringComparison.Ordinal))
        || tag is "[" or "]";

    /// <summary>
    /// Counts chunks as conlleval.pl does: a gold (predicted) chunk wherever a chunk starts in the gold (predicted)
    /// tags, and a correct one where both start together with one type, then end together with the tags' types equal
    /// at every token between, as its <c>$inCorrect</c> state tracks. Counts are per conlleval type.
    /// </summary>
    /// <param name="gold">Gold tags per sentence.</param>
    /// <param name="predicted">Predicted tags per sentence, shaped like <paramref name="gold"/>.</param>
    /// <returns>Per type, the gold, predicted and correct chunk counts.</returns>
    public static Dictionary<string, TypeCounts> Count(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<IReadOnlyList<string>> predicted)
    {
        var counts = new Dictionary<string, TypeCounts>(StringComparer.Ordinal);
        var state = new Stream();
        for (var s = 0; s < gold.Count; s++)
        {
            for (var i = 0; i < gold[s].Count; i++)
            {
                state.Next(Split(gold[s][i]), Split(predicted[s][i]), counts);
            }

            // The blank line after the sentence: both tags O, without a type.
            state.Next(("O", string.Empty), ("O", string.Empty), counts);
        }

        state.Finish(counts);
        return counts;
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

    /// <summary>conlleval.pl's state between lines: the previous tags and types, and whether a correct chunk is open.</summary>
    private sealed class Stream
    {
        private string _lastGold = "O";
        private string _lastGoldType = string.Empty;
        private string _lastPredicted = "O";
        private string _lastPredictedType = string.Empty;
        private bool _inCorrect;

        public void Next((string Tag, string Type) gold, (string Tag, string Type) predicted, Dictionary<string, TypeCounts> counts)
        {
            if (_inCorrect)
            {
                bool goldEnds = EndOfChunk(_lastGold, gold.Tag, _lastGoldType, gold.Type);
                bool predictedEnds = EndOfChunk(_lastPredicted, predicted.Tag, _lastPredictedType, predicted.Type);
                if (goldEnds && predictedEnds && string.Equals(_lastPredictedType, _lastGoldType, StringComparison.Ordinal))
                {
                    _inCorrect = false;
                    CountsOf(counts, _lastGoldType).Correct++;
                }
                else if (goldEnds != predictedEnds || !string.Equals(predicted.Type, gold.Type, StringComparison.Ordinal))
                {
                    _inCorrect = false;
                }
            }

            bool goldStarts = StartOfChunk(_lastGold, gold.Tag, _lastGoldType, gold.Type);
            bool predictedStarts = StartOfChunk(_lastPredicted, predicted.Tag, _lastPredictedType, predicted.Type);
            if (goldStarts && predictedStarts && string.Equals(predicted.Type, gold.Type, StringComparison.Ordinal))
            {
                _inCorrect = true;
            }

            if (goldStarts)
            {
                CountsOf(counts, gold.Type).Gold++;
            }

            if (predictedStarts)
            {
                CountsOf(counts, predicted.Type).Predicted++;
            }

            (_lastGold, _lastGoldType, _lastPredicted, _lastPredictedType) = (gold.Tag, gold.Type, predicted.Tag, predicted.Type);
        }

        /// <summary>The end of the input: a correct chunk still open counts.</summary>
        public void Finish(Dictionary<string, TypeCounts> counts)
        {
            if (_inCorrect)
            {
                CountsOf(counts, _lastGoldType).Correct++;
            }
        }
    }
}
