namespace NerClassify.Metrics;

/// <summary>
/// Accuracy, per-class precision, recall and F1, and a confusion matrix for single-label classification.
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>
    /// Scores predicted classes against true classes (ordinal string comparison).
    /// </summary>
    /// <param name="gold">The true class of each example.</param>
    /// <param name="predicted">The predicted class of each example, in the same order.</param>
    /// <param name="classNames">
    /// The classes to report, in report and matrix order; typically the label map, so that classes
    /// missing from this data still get a row (with zeros). Null uses the classes seen in
    /// <paramref name="gold"/> or <paramref name="predicted"/>, in ordinal order.
    /// </param>
    /// <returns>The report; with no examples, every score is 0.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="gold"/> or <paramref name="predicted"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The lengths differ; an item is null; <paramref name="classNames"/> holds a null or a duplicate;
    /// or an item is not one of <paramref name="classNames"/>. The message names the index.
    /// </exception>
    public static ClassificationReport Compute(
        IReadOnlyList<string> gold,
        IReadOnlyList<string> predicted,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(gold);
        ArgumentNullException.ThrowIfNull(predicted);
        if (gold.Count != predicted.Count)
        {
            throw new ArgumentException(
                $"There are {predicted.Count} predicted classes but {gold.Count} gold classes.",
                nameof(predicted));
        }

        var labels = classNames is null ? SeenClasses(gold, predicted) : CheckClassNames(classNames);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Length; i++)
        {
            index.Add(labels[i], i);
        }

        var counts = new int[labels.Length][];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = new int[labels.Length];
        }

        for (var i = 0; i < gold.Count; i++)
        {
            var truth = IndexOf(index, gold[i], nameof(gold), i);
            var guess = IndexOf(index, predicted[i], nameof(predicted), i);
            counts[truth][guess]++;
        }

        var perClass = new Dictionary<string, ClassScores>(StringComparer.Ordinal);
        var correct = 0;
        for (var c = 0; c < labels.Length; c++)
        {
            var support = counts[c].Sum();
            var predictedCount = counts.Sum(row => row[c]);
            correct += counts[c][c];
            perClass.Add(labels[c], ScoreMath.Score(counts[c][c], predictedCount, support));
        }

        var rows = perClass.Values;
        // Read-only wrappers, so that a caller cannot cast a report's collections back and edit them.
        return new ClassificationReport(
            ScoreMath.Ratio(correct, gold.Count),
            gold.Count,
            perClass.AsReadOnly(),
            ScoreMath.Macro(rows),
            ScoreMath.Weighted(rows),
            new ConfusionMatrix(
                Array.AsReadOnly(labels),
                Array.AsReadOnly(counts.Select(row => (IReadOnlyList<int>)Array.AsReadOnly(row)).ToArray())));
    }

    private static string[] SeenClasses(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < gold.Count; i++)
        {
            seen.Add(gold[i] ?? throw NullItem(nameof(gold), i));
            seen.Add(predicted[i] ?? throw NullItem(nameof(predicted), i));
        }

        return [.. seen];
    }

    private static string[] CheckClassNames(IReadOnlyList<string> classNames)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < classNames.Count; i++)
        {
            if (classNames[i] is null)
            {
                throw NullItem(nameof(classNames), i);
            }

            if (!seen.Add(classNames[i]))
            {
                throw new ArgumentException($"Class '{classNames[i]}' at index {i} is listed twice.", nameof(classNames));
            }
        }

        return [.. classNames];
    }

    private static int IndexOf(Dictionary<string, int> index, string label, string paramName, int item)
    {
        if (label is null)
        {
            throw NullItem(paramName, item);
        }

        return index.TryGetValue(label, out var position)
            ? position
            : throw new ArgumentException($"Item {item} is '{label}', which is not one of the class names.", paramName);
    }

    private static ArgumentException NullItem(string paramName, int item) =>
        new($"Item {item} is null.", paramName);
}
