namespace NerClassify.Labelling;

/// <summary>Totals of a labelling run.</summary>
/// <param name="Categories">The class names; <paramref name="LabelCounts"/> is indexed like this list.</param>
/// <param name="LabelCounts">How many sentences got each class.</param>
/// <param name="Total">Sentences in the run.</param>
/// <param name="Unlabelled">Sentences that got no valid label.</param>
/// <param name="CacheHits">Sentences answered from the cache.</param>
/// <param name="ClientCalls">Requests sent to the chat client, failed ones and retries included.</param>
public sealed record LabellingSummary(
    IReadOnlyList<string> Categories,
    IReadOnlyList<int> LabelCounts,
    int Total,
    int Unlabelled,
    int CacheHits,
    int ClientCalls)
{
    /// <summary>Sentences that got a label.</summary>
    public int Labelled => Total - Unlabelled;

    /// <summary>The number of sentences labelled with the class called <paramref name="category"/> (ordinal, case-insensitive), or 0 for an unknown name.</summary>
    /// <param name="category">A class name.</param>
    /// <returns>The count.</returns>
    public int CountOf(string category)
    {
        ArgumentNullException.ThrowIfNull(category);
        for (int i = 0; i < Categories.Count; i++)
        {
            if (string.Equals(Categories[i], category, StringComparison.OrdinalIgnoreCase))
            {
                return LabelCounts[i];
            }
        }

        return 0;
    }
}
