namespace NerClassify.Metrics;

/// <summary>
/// One line of a text report. Null precision and recall leave their columns blank, as in the
/// <c>accuracy</c> line of scikit-learn's report.
/// </summary>
/// <param name="Name">The class name or the average's name.</param>
/// <param name="Precision">The precision column, or null for blank.</param>
/// <param name="Recall">The recall column, or null for blank.</param>
/// <param name="F1">The f1-score column.</param>
/// <param name="Support">The support column.</param>
internal readonly record struct ReportRow(string Name, double? Precision, double? Recall, double F1, int Support)
{
    /// <summary>Makes a full row from <paramref name="scores"/>.</summary>
    public static ReportRow From(string name, ClassScores scores) =>
        new(name, scores.Precision, scores.Recall, scores.F1, scores.Support);
}
