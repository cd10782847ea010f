namespace NerClassify.Data;

/// <summary>How often each label occurs.</summary>
internal sealed class LabelDistribution
{
    private readonly Dictionary<string, int> _counts;

    private LabelDistribution(Dictionary<string, int> counts)
    {
        _counts = counts;
        Total = counts.Values.Sum();
        Entries = [.. counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)];
    }

    /// <summary>The labels with their counts, most frequent first (ties in ordinal order).</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Entries { get; }

    /// <summary>The total count.</summary>
    public int Total { get; }

    /// <summary>The count of a label (0 when absent).</summary>
    /// <param name="label">The label.</param>
    /// <returns>The count.</returns>
    public int this[string label] => _counts.GetValueOrDefault(label);

    /// <summary>The share of a label in [0, 1] (0 when there is nothing).</summary>
    /// <param name="label">The label.</param>
    /// <returns>The count divided by <see cref="Total"/>.</returns>
    public double Share(string label) => Total == 0 ? 0 : (double)this[label] / Total;

    /// <summary>Counts labels.</summary>
    /// <param name="labels">Labels, with repeats.</param>
    /// <returns>The distribution.</returns>
    public static LabelDistribution Count(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string label in labels)
        {
            counts[label] = counts.GetValueOrDefault(label) + 1;
        }

        return new LabelDistribution(counts);
    }

    /// <summary>Counts token tags over sentences.</summary>
    /// <param name="sentences">The sentences.</param>
    /// <returns>The distribution of tags.</returns>
    public static LabelDistribution OfTokens(IEnumerable<ConllSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return Count(sentences.SelectMany(s => s.Tags));
    }

    /// <summary>Counts sentence labels.</summary>
    /// <param name="rows">Sentence-label rows.</param>
    /// <returns>The distribution of labels.</returns>
    public static LabelDistribution OfSentences(IEnumerable<SentenceLabelRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Count(rows.Select(r => r.Label));
    }

    /// <summary>Lists the counts as <c>label: count</c>, most frequent first.</summary>
    /// <returns>The formatted counts.</returns>
    public override string ToString() => string.Join(", ", Entries.Select(e => $"{e.Key}: {e.Value}"));
}
