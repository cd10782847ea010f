namespace NerClassify.Metrics;

/// <summary>
/// Precision, recall and F1 of one class (or one entity type), or an average over classes.
/// Every ratio with a zero denominator is reported as 0, never NaN.
/// </summary>
/// <param name="Precision">Correct predictions divided by all predictions of the class.</param>
/// <param name="Recall">Correct predictions divided by the true items of the class.</param>
/// <param name="F1">The harmonic mean of <paramref name="Precision"/> and <paramref name="Recall"/>.</param>
/// <param name="Support">The number of true items (examples or gold entities) of the class; for an average, the total.</param>
/// <param name="Predicted">The number of predicted items of the class; for an average, the total.</param>
/// <param name="Correct">The number of predicted items that match a true one; for an average, the total.</param>
public sealed record ClassScores(double Precision, double Recall, double F1, int Support, int Predicted, int Correct);
