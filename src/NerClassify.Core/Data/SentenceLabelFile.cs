using NerClassify.IO;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace NerClassify.Data;

/// <summary>
/// Reads and writes sentence-label files: tab-separated <c>sentence&lt;TAB&gt;label&lt;TAB&gt;text</c> with that header line.
/// Fields are plain text: there are no CSV quoting rules, so <c>"</c> is an ordinary character.
/// </summary>
public static class SentenceLabelFile
{
    /// <summary>The header line.</summary>
    public const string Header = "sentence\tlabel\ttext";

    /// <summary>Streams the rows of a file.</summary>
    /// <param name="path">The file (UTF-8; invalid UTF-8 is a <see cref="FormatException"/> naming the line).</param>
    /// <param name="fileName">The name used in messages; the path when null.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The rows in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">(While enumerating.) The header or a row is malformed; the message starts with <c>file:line</c>.</exception>
    public static IAsyncEnumerable<SentenceLabelRow> ReadAsync(string path, string? fileName = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Sentence-label file '{path}' was not found.", path);
        }

        return ReadFileCoreAsync(path, fileName ?? path, cancellationToken);
    }

    /// <summary>Streams the rows of a reader, which is not disposed.</summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="fileName">The name used in messages.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The rows in order.</returns>
    /// <exception cref="FormatException">(While enumerating.) The header or a row is malformed; the message starts with <c>file:line</c>.</exception>
    public static IAsyncEnumerable<SentenceLabelRow> ReadAsync(TextReader reader, string? fileName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ReadCoreAsync(reader, fileName ?? "<input>", cancellationToken);
    }

    /// <summary>Loads the rows of a file, or only its first <paramref name="maxRows"/> rows (the N-example training set).</summary>
    /// <param name="path">The file (UTF-8; invalid UTF-8 is a <see cref="FormatException"/> naming the line).</param>
    /// <param name="maxRows">How many rows to read at most; null for all.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The rows in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The header or a row is malformed.</exception>
    public static Task<IReadOnlyList<SentenceLabelRow>> LoadAsync(string path, int? maxRows = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (maxRows is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(max, nameof(maxRows));
        }

        var rows = ReadAsync(path, null, cancellationToken);
        return LoadCoreAsync(rows, maxRows ?? int.MaxValue, cancellationToken);
    }

    /// <summary>Writes rows with the header, atomically (a temporary file, then a rename).</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="rows">The rows; labels and texts may not contain tabs or line breaks.</param>
    /// <param name="cancellationToken">Stops writing; the target file is then left untouched.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="ArgumentException">A label or text contains a tab or line break.</exception>
    public static Task WriteAsync(string path, IEnumerable<SentenceLabelRow> rows, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(rows);
        return AtomicFile.WriteAsync(path, (writer, ct) => WriteCoreAsync(writer, rows, ct), cancellationToken);
    }

    /// <summary>Joins rows to CoNLL sentences by index and checks that each row's text is the sentence's words joined by single spaces.</summary>
    /// <param name="sentences">The CoNLL sentences, indexed by <see cref="ConllSentence.Index"/> (as loaded).</param>
    /// <param name="rows">The rows to join.</param>
    /// <param name="fileName">The sentence-label file name used in messages.</param>
    /// <returns>
    /// One joined sentence per distinct row, in row order. A row that repeats an earlier row's index and label is
    /// skipped, so every sentence is joined at most once.
    /// </returns>
    /// <exception cref="FormatException">
    /// A row's index is out of range, its text differs from the sentence's, or it gives a sentence a label other than an
    /// earlier row did; the message names the row's <c>file:line</c> (and the earlier row's line).
    /// </exception>
    public static IReadOnlyList<LabeledSentence> Join(IReadOnlyList<ConllSentence> sentences, IEnumerable<SentenceLabelRow> rows, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(rows);
        string name = fileName ?? "<input>";
        var joined = new List<LabeledSentence>();
        var seen = new Dictionary<int, SentenceLabelRow>();
        foreach (var row in rows)
        {
            if (row.SentenceIndex < 0 || row.SentenceIndex >= sentences.Count)
            {
                throw new FormatException($"{name}:{row.LineNumber}: sentence index {row.SentenceIndex} is outside the CoNLL data's {sentences.Count} sentences.");
            }

            var sentence = sentences[row.SentenceIndex];
            if (sentence.Index != row.SentenceIndex)
            {
                throw new ArgumentException($"Sentence at position {row.SentenceIndex} has index {sentence.Index}; pass the sentences as loaded.", nameof(sentences));
            }

            if (!TextMatches(sentence, row.Text))
            {
                throw new FormatException(
                    $"{name}:{row.LineNumber}: text of sentence {row.SentenceIndex} does not match the CoNLL sentence (line {sentence.LineNumber}): row has '{LineExcerpt.Of(row.Text)}' but the sentence is '{LineExcerpt.Of(sentence.Text)}'.");
            }

            if (seen.TryGetValue(row.SentenceIndex, out SentenceLabelRow? first))
            {
                if (string.Equals(first.Label, row.Label, StringComparison.Ordinal))
                {
                    // An exact repeat (the text already matched): join the sentence once, so it is not weighted twice.
                    continue;
                }

                throw new FormatException(
                    $"{name}:{row.LineNumber}: sentence {row.SentenceIndex} is labelled '{LineExcerpt.Of(row.Label)}' here but '{LineExcerpt.Of(first.Label)}' on line {first.LineNumber}; a sentence takes one label.");
            }

            seen.Add(row.SentenceIndex, row);
            joined.Add(new LabeledSentence(sentence, row.Label, row));
        }

        return joined;
    }

    private static bool TextMatches(ConllSentence sentence, string text)
    {
        // Compare word by word against the text without building the joined string.
        var rest = text.AsSpan();
        for (int i = 0; i < sentence.Count; i++)
        {
            string word = sentence.Words[i];
            if (i > 0)
            {
                if (rest.IsEmpty || rest[0] != ' ')
                {
                    return false;
                }

                rest = rest[1..];
            }

            if (!rest.StartsWith(word, StringComparison.Ordinal))
            {
                return false;
            }

            rest = rest[word.Length..];
        }

        return rest.IsEmpty;
    }

    private static async Task<IReadOnlyList<SentenceLabelRow>> LoadCoreAsync(IAsyncEnumerable<SentenceLabelRow> rows, int maxRows, CancellationToken cancellationToken)
    {
        var list = new List<SentenceLabelRow>();
        if (maxRows == 0)
        {
            return list;
        }

        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            list.Add(row);
            if (list.Count == maxRows)
            {
                break;
            }
        }

        return list;
    }

    private static async IAsyncEnumerable<SentenceLabelRow> ReadFileCoreAsync(string path, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = Utf8LineReader.Open(path, fileName);
        await foreach (var row in ReadCoreAsync(reader, fileName, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    private static async IAsyncEnumerable<SentenceLabelRow> ReadCoreAsync(TextReader reader, string fileName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? header = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (header is null || header.TrimEnd() != Header)
        {
            throw new FormatException($"{fileName}:1: expected the header 'sentence<TAB>label<TAB>text' but found '{LineExcerpt.Of(header)}'.");
        }

        int lineNumber = 1;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            int firstTab = line.IndexOf('\t');
            int secondTab = firstTab < 0 ? -1 : line.IndexOf('\t', firstTab + 1);
            if (secondTab < 0 || line.IndexOf('\t', secondTab + 1) >= 0)
            {
                throw new FormatException($"{fileName}:{lineNumber}: expected 3 tab-separated fields (sentence, label, text) but found {line.Count(c => c == '\t') + 1}.");
            }

            if (!int.TryParse(line.AsSpan(0, firstTab), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                throw new FormatException($"{fileName}:{lineNumber}: sentence index '{LineExcerpt.Of(line[..firstTab])}' is not a non-negative integer.");
            }

            string label = line[(firstTab + 1)..secondTab];
            if (string.IsNullOrWhiteSpace(label))
            {
                throw new FormatException($"{fileName}:{lineNumber}: the label is empty.");
            }

            yield return new SentenceLabelRow(index, label, line[(secondTab + 1)..], lineNumber);
        }
    }

    private static async Task WriteCoreAsync(TextWriter writer, IEnumerable<SentenceLabelRow> rows, CancellationToken cancellationToken)
    {
        await writer.WriteLineAsync(Header).ConfigureAwait(false);
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ArgumentOutOfRangeException.ThrowIfNegative(row.SentenceIndex, nameof(rows));
            if (row.Label.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0 || row.Text.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
            {
                throw new ArgumentException($"Row for sentence {row.SentenceIndex} has a tab or line break in its label or text.", nameof(rows));
            }

            await writer.WriteLineAsync($"{row.SentenceIndex.ToString(CultureInfo.InvariantCulture)}\t{row.Label}\t{row.Text}").ConfigureAwait(false);
        }
    }
}
