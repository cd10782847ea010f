namespace NerClassify.Metrics;

/// <summary>
/// Running entity counts for one type while <see cref="EntityMetrics"/> walks the corpus.
/// </summary>
internal sealed class TypeCounts
{
    /// <summary>Gets or sets the number of gold entities (conlleval's "found correct").</summary>
    public int Gold { get; set; }

    /// <summary>Gets or sets the number of predicted entities (conlleval's "found guessed").</summary>
    public int Predicted { get; set; }

    /// <summary>Gets or sets the number of predicted entities that match a gold one (conlleval's "correct chunks").</summary>
    public int Correct { get; set; }
}
