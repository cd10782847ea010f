namespace NerClassify.Metrics;

/// <summary>
/// Turns counts into <see cref="ClassScores"/> and averages them, giving 0 wherever a denominator is 0.
/// </summary>
internal static class ScoreMath
{
    /// <summary>Returns <paramref name="numerator"/> / <paramref name="denominator"/>, or 0 when the denominator is 0.</summary>
    public static double Ratio(double numerator, double denominator) =>
        denominator == 0 ? 0.0 : numerator / denominator;

    /// <summary>Scores one class from its counts.</summary>
    public static ClassScores Score(int correct, int predicted, int support)
    {
        var precision = Ratio(correct, predicted);
        var recall = Ratio(correct, support);
        var f1 = Ratio(2 * precision * recall, precision + recall);
        return new ClassScores(precision, recall, f1, support, predicted, correct);
    }

    /// <summary>Micro average: the scores of the summed counts.</summary>
    public static ClassScores Micro(IReadOnlyCollection<ClassScores> rows) =>
        Score(rows.Sum(r => r.Correct), rows.Sum(r => r.Predicted), rows.Sum(r => r.Support));

    /// <summary>Macro average: the unweighted mean of each score over the classes (0 when there are none).</summary>
    public static ClassScores Macro(IReadOnlyCollection<ClassScores> rows) =>
        Average(rows, _ => 1.0, rows.Count);

    /// <summary>Weighted average: the mean of each score weighted by support (0 when the total support is 0).</summary>
    public static ClassScores Weighted(IReadOnlyCollection<ClassScores> rows) =>
        Average(rows, r => r.Support, rows.Sum(r => r.Support));

    private static ClassScores Average(IReadOnlyCollection<ClassScores> rows, Func<ClassScores, double> weight, double totalWeight) =>
        new(
            Ratio(rows.Sum(r => weight(r) * r.Precision), totalWeight),
            Ratio(rows.Sum(r => weight(r) * r.Recall), totalWeight),
            Ratio(rows.Sum(r => weight(r) * r.F1), totalWeight),
            rows.Sum(r => r.Support),
            rows.Sum(r => r.Predicted),
            rows.Sum(r => r.Correct));
}
