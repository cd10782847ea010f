using System.Text;
using NerClassify.IO;

namespace NerClassify.Labelling;

/// <summary>
/// Writes labelling results in the sentence-label file format: a <c>sentence&lt;TAB&gt;label&lt;TAB&gt;text</c> header, then one row
/// per labelled sentence with its index, class name and text. Unlabelled sentences are left out.
/// </summary>
public static class SentenceLabelWriter
{
    /// <summary>The header line of a sentence-label file.</summary>
    public const string Header = "sentence\tlabel\ttext";

    /// <summary>Writes the labelled results to a file atomically: a temporary file beside it, then a rename over it.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="results">The results, written in the order given.</param>
    /// <returns>The number of rows written.</returns>
    public static int Write(string path, IEnumerable<SentenceLabelResult> results)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(results);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        int rows = 0;
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            rows = Write(writer, results);
        });
        return rows;
    }

    /// <summary>Writes the labelled results to a text writer, which is not disposed.</summary>
    /// <param name="writer">Receives the header and the rows, each ended by <c>\n</c>.</param>
    /// <param name="results">The results, written in the order given.</param>
    /// <returns>The number of rows written.</returns>
    public static int Write(TextWriter writer, IEnumerable<SentenceLabelResult> results)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(results);
        writer.Write(Header);
        writer.Write('\n');
        int rows = 0;
        foreach (var result in results)
        {
            if (result.LabelName is not { } label)
            {
                continue;
            }

            writer.Write(result.SentenceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.Write('\t');
            writer.Write(label);
            writer.Write('\t');
            writer.Write(OneLine(result.Text));
            writer.Write('\n');
            rows++;
        }

        writer.Flush();
        return rows;
    }

    // The format has no quoting: a tab or line break inside a text would break the row, so it becomes a space.
    private static string OneLine(string text) =>
        text.AsSpan().IndexOfAny('\t', '\r', '\n') < 0 ? text : text.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}
