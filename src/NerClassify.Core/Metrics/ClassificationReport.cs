using System.Text.Json.Serialization;

namespace NerClassify.Metrics;

/// <summary>
/// Scores of a single-label classifier (one class per sentence or example).
/// Serialises to and from JSON with System.Text.Json.
/// </summary>
/// <param name="Accuracy">Correct predictions over all examples; 0 when there are none.
/// Every example has one class on each side, so this is also micro precision, recall and F1.</param>
/// <param name="Count">The number of examples.</param>
/// <param name="PerClass">Scores per class, for every class in <see cref="ConfusionMatrix.Labels"/>.
/// A class absent from the truth or from the predictions scores 0, never NaN.</param>
/// <param name="Macro">The unweighted mean over all classes, absent ones included.</param>
/// <param name="Weighted">The mean over all classes, weighted by support.</param>
/// <param name="ConfusionMatrix">Rows are the truth, columns the prediction.</param>
public sealed record ClassificationReport(
    double Accuracy,
    int Count,
    IReadOnlyDictionary<string, ClassScores> PerClass,
    ClassScores Macro,
    ClassScores Weighted,
    ConfusionMatrix ConfusionMatrix)
{
    /// <summary>Gets the unweighted mean of the per-class F1 scores.</summary>
    [JsonIgnore]
    public double MacroF1 => Macro.F1;

    /// <summary>Gets the support-weighted mean of the per-class F1 scores.</summary>
    [JsonIgnore]
    public double WeightedF1 => Weighted.F1;

    /// <summary>
    /// Formats the report like scikit-learn's <c>classification_report</c>: one line per class in the
    /// order of <see cref="ConfusionMatrix.Labels"/>, then an <c>accuracy</c> line (which stands for the
    /// micro average, equal to it here), <c>macro avg</c> and <c>weighted avg</c>. Lines end with
    /// <c>\n</c>; numbers use the invariant culture.
    /// </summary>
    /// <param name="digits">Decimals per score, 0 to 15.</param>
    /// <returns>The aligned text.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="digits"/> is outside 0 to 15.</exception>
    public string ToText(int digits = 2)
    {
        var rows = ConfusionMatrix.Labels
            .Select(label => ReportRow.From(label, PerClass[label]))
            .ToList();
        ReportRow[] summary =
        [
            new ReportRow("accuracy", null, null, Accuracy, Count),
            ReportRow.From("macro avg", Macro),
            ReportRow.From("weighted avg", Weighted),
        ];
        return ReportText.Format(rows, summary, digits);
    }
}
