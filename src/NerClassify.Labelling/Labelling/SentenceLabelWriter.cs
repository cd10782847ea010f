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
    public const string Header = Data.SentenceLabelFile.Header;

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

            writer.Write(Data.SentenceLabelFile.FormatRow(result.SentenceIndex, label, result.Text, nameof(results)));
            writer.Write('\n');
            rows++;
        }

        writer.Flush();
        return rows;
    }
}
