using System.Globalization;
using NerClassify.Metrics;

namespace NerClassify.Training;

/// <summary>
/// Detects a sentence classifier that has collapsed to one class: it predicts the same class for more than
/// <see cref="MaxShare"/> of the validation sentences although that class is not as common in the truth. A model trained
/// too briefly or with too small a learning rate often ends there (it then scores the majority class's share as accuracy).
/// </summary>
internal static class OneClassCheck
{
    /// <summary>The share of validation sentences above which one predicted class is suspicious.</summary>
    public const double MaxShare = 0.9;

    /// <summary>A warning for the scores, or null when the predictions are spread over the classes (or the truth is as one-sided).</summary>
    /// <param name="report">The sentence-class scores of the validation sentences.</param>
    public static string? Warning(ClassificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        ConfusionMatrix matrix = report.ConfusionMatrix;
        int total = matrix.Counts.Sum(row => row.Sum());
        if (total == 0)
        {
            return null;
        }

        int top = Enumerable.Range(0, matrix.Labels.Count).MaxBy(p => matrix.Counts.Sum(row => row[p]));
        double predictedShare = (double)matrix.Counts.Sum(row => row[top]) / total;
        double trueShare = (double)matrix.Counts[top].Sum() / total;
        if (predictedShare <= MaxShare || trueShare > MaxShare)
        {
            return null;
        }

        string found = string.Create(
            CultureInfo.InvariantCulture,
            $"The model predicts '{matrix.Labels[top]}' for {predictedShare:P1} of the {total:N0} validation sentences, whose true share of '{matrix.Labels[top]}' is {trueShare:P1}: ");
        return found + "the sentence classifier has collapsed to one class. Train for more epochs, on more labelled sentences, or with the default learning rates (TrainerOptions defaults, nerclassify train without --learning-rate and --epochs).";
    }
}
