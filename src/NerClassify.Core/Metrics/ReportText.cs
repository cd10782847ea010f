using System.Globalization;
using System.Text;

namespace NerClassify.Metrics;

/// <summary>
/// Lays out a classification report as aligned text: a header, one line per class, a blank line, then
/// the summary lines, with columns <c>precision recall f1-score support</c>.
/// </summary>
internal static class ReportText
{
    private static readonly string[] Headers = ["precision", "recall", "f1-score", "support"];

    /// <summary>The widest summary name; the name column is never narrower.</summary>
    private const string WidestSummaryName = "weighted avg";

    /// <summary>Formats the rows with <paramref name="digits"/> decimals.</summary>
    public static string Format(IReadOnlyList<ReportRow> classRows, IReadOnlyList<ReportRow> summaryRows, int digits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(digits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, 15);

        var nameWidth = classRows.Concat(summaryRows)
            .Select(r => r.Name.Length)
            .Append(WidestSummaryName.Length)
            .Max();
        var columnWidth = Math.Max(Headers.Max(h => h.Length), digits + 3);

        // As in scikit-learn, two spaces separate the name column from the first score column.
        var text = new StringBuilder();
        text.Append(' ', nameWidth + 1);
        foreach (var header in Headers)
        {
            text.Append(' ').Append(header.PadLeft(columnWidth));
        }

        text.Append('\n');
        if (classRows.Count > 0)
        {
            text.Append('\n');
            AppendRows(text, classRows, nameWidth, columnWidth, digits);
        }

        text.Append('\n');
        AppendRows(text, summaryRows, nameWidth, columnWidth, digits);
        return text.ToString();
    }

    private static void AppendRows(StringBuilder text, IReadOnlyList<ReportRow> rows, int nameWidth, int columnWidth, int digits)
    {
        foreach (var row in rows)
        {
            text.Append(row.Name.PadLeft(nameWidth)).Append(' ');
            AppendCell(text, Number(row.Precision, digits), columnWidth);
            AppendCell(text, Number(row.Recall, digits), columnWidth);
            AppendCell(text, Number(row.F1, digits), columnWidth);
            AppendCell(text, row.Support.ToString(CultureInfo.InvariantCulture), columnWidth);
            text.Append('\n');
        }
    }

    private static void AppendCell(StringBuilder text, string value, int width) =>
        text.Append(' ').Append(value.PadLeft(width));

    private static string Number(double? value, int digits) =>
        value is { } v ? v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : string.Empty;
}
