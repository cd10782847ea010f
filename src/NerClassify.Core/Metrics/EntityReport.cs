using System.Text.Json.Serialization;
using NerClassify.Data;

namespace NerClassify.Metrics;

/// <summary>
/// Entity-level scores of a tagged corpus, as seqeval's and conlleval's reports give them: an entity
/// counts as correct only when its type, start and end all match a gold entity.
/// Serialises to and from JSON with System.Text.Json.
/// </summary>
/// <param name="Micro">Scores of the counts summed over all types (conlleval's overall line).</param>
/// <param name="Macro">The unweighted mean over the types in <paramref name="PerType"/>.</param>
/// <param name="Weighted">The mean over the types in <paramref name="PerType"/>, weighted by support.</param>
/// <param name="PerType">
/// Scores per entity type, for every type found in the gold or the predicted tags. A type that only
/// appears in predictions has support 0 and scores 0; it still counts in the macro average.
/// </param>
/// <param name="TokenAccuracy">The share of words whose predicted tag equals the gold tag; 0 when there are no words.</param>
/// <param name="TokenCount">The number of words scored.</param>
/// <param name="Scheme">The label scheme the entities were read with.</param>
/// <param name="Mode">The matching mode the entities were read with.</param>
public sealed record EntityReport(
    ClassScores Micro,
    ClassScores Macro,
    ClassScores Weighted,
    IReadOnlyDictionary<string, ClassScores> PerType,
    double TokenAccuracy,
    int TokenCount,
    [property: JsonConverter(typeof(JsonStringEnumConverter<LabelScheme>))] LabelScheme Scheme,
    [property: JsonConverter(typeof(JsonStringEnumConverter<EntityMatchingMode>))] EntityMatchingMode Mode)
{
    /// <summary>Gets the micro-averaged precision: correct entities over predicted entities.</summary>
    [JsonIgnore]
    public double Precision => Micro.Precision;

    /// <summary>Gets the micro-averaged recall: correct entities over gold entities.</summary>
    [JsonIgnore]
    public double Recall => Micro.Recall;

    /// <summary>Gets the micro-averaged F1, the figure conlleval and seqeval report as overall F1.</summary>
    [JsonIgnore]
    public double F1 => Micro.F1;

    /// <summary>Gets the unweighted mean of the per-type F1 scores.</summary>
    [JsonIgnore]
    public double MacroF1 => Macro.F1;

    /// <summary>Gets the support-weighted mean of the per-type F1 scores.</summary>
    [JsonIgnore]
    public double WeightedF1 => Weighted.F1;

    /// <summary>
    /// Formats the report like seqeval's <c>classification_report</c>: one line per type in ordinal
    /// order, then <c>micro avg</c>, <c>macro avg</c> and <c>weighted avg</c>, each with precision,
    /// recall, f1-score and support. Lines end with <c>\n</c>; numbers use the invariant culture.
    /// </summary>
    /// <param name="digits">Decimals per score, 0 to 15.</param>
    /// <returns>The aligned text.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="digits"/> is outside 0 to 15.</exception>
    public string ToText(int digits = 2)
    {
        var rows = PerType
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => ReportRow.From(p.Key, p.Value))
            .ToList();
        ReportRow[] summary =
        [
            ReportRow.From("micro avg", Micro),
            ReportRow.From("macro avg", Macro),
            ReportRow.From("weighted avg", Weighted),
        ];
        return ReportText.Format(rows, summary, digits);
    }
}
