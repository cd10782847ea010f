using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace NerClassify.Metrics;

/// <summary>
/// Counts of (true class, predicted class) pairs. Rows are the truth, columns the prediction, both in
/// the order of <paramref name="Labels"/>. Serialises to and from JSON with System.Text.Json.
/// </summary>
/// <param name="Labels">The class names, in row and column order.</param>
/// <param name="Counts"><c>Counts[t][p]</c> is the number of examples of class <c>Labels[t]</c> predicted as <c>Labels[p]</c>.</param>
public sealed record ConfusionMatrix(IReadOnlyList<string> Labels, IReadOnlyList<IReadOnlyList<int>> Counts)
{
    /// <summary>Gets the number of examples whose true class is <paramref name="truth"/> and predicted class is <paramref name="predicted"/>.</summary>
    /// <param name="truth">A name from <see cref="Labels"/>.</param>
    /// <param name="predicted">A name from <see cref="Labels"/>.</param>
    /// <exception cref="KeyNotFoundException">A name is not in <see cref="Labels"/>.</exception>
    [JsonIgnore]
    public int this[string truth, string predicted] => Counts[IndexOf(truth)][IndexOf(predicted)];

    /// <summary>
    /// Formats the matrix as aligned text: a header of predicted classes, then one line per true class.
    /// Lines end with <c>\n</c>.
    /// </summary>
    /// <returns>The aligned text.</returns>
    public string ToText()
    {
        const string corner = "truth \\ predicted";
        var nameWidth = Labels.Select(l => l.Length).Append(corner.Length).Max();
        var columnWidths = Labels
            .Select((label, p) => Counts.Select(row => Format(row[p]).Length).Append(label.Length).Max())
            .ToArray();

        var text = new StringBuilder();
        text.Append(corner.PadLeft(nameWidth));
        for (var p = 0; p < Labels.Count; p++)
        {
            text.Append("  ").Append(Labels[p].PadLeft(columnWidths[p]));
        }

        text.Append('\n');
        for (var t = 0; t < Labels.Count; t++)
        {
            text.Append(Labels[t].PadLeft(nameWidth));
            for (var p = 0; p < Labels.Count; p++)
            {
                text.Append("  ").Append(Format(Counts[t][p]).PadLeft(columnWidths[p]));
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string Format(int count) => count.ToString(CultureInfo.InvariantCulture);

    private int IndexOf(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        for (var i = 0; i < Labels.Count; i++)
        {
            if (string.Equals(Labels[i], label, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"'{label}' is not one of the matrix's labels.");
    }
}
