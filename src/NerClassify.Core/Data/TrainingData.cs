using System.Globalization;
using System.Text;
using NerClassify.Configuration;
using NerClassify.Tokenization;

namespace NerClassify.Data;

/// <summary>
/// Loads training and evaluation examples from files, for each task: CoNLL files for entities, text-label files
/// for sentence classes, and a CoNLL file joined with a sentence-label file for both.
/// </summary>
/// <remarks>
/// A text-label file has a header line naming a <c>text</c> and a <c>label</c> column (in any order, other columns
/// ignored). Files ending in <c>.csv</c> are comma-separated with RFC 4180 quoting; anything else is
/// tab-separated plain text, as <see cref="SentenceLabelFile"/> writes it. Texts are split into words the way
/// CoNLL-2003 is tokenised.
/// </remarks>
public static class TrainingData
{
    /// <summary>Loads the examples of <paramref name="task"/>.</summary>
    /// <param name="task">
    /// Entities only: <paramref name="dataPath"/> is a CoNLL file. Sentence classes only: a text-label file, or a CoNLL
    /// file joined with <paramref name="labelsPath"/>. Both (multitask): a CoNLL file joined with
    /// <paramref name="labelsPath"/> (sentences without a row keep their tags only).
    /// </param>
    /// <param name="dataPath">The CoNLL or text-label file.</param>
    /// <param name="labelsPath">A sentence-label file (<c>sentence</c>, <c>label</c>, <c>text</c>) joined by sentence index, or null.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="FormatException">A file is malformed; the message starts with <c>file:line</c>.</exception>
    /// <exception cref="ArgumentException">The task needs a labels file and none was given.</exception>
    public static async Task<IReadOnlyList<TrainingExample>> LoadAsync(TaskKind task, string dataPath, string? labelsPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataPath);
        if (!Enum.IsDefined(task))
        {
            throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task.");
        }

        if (task.HasTokenHead() && task.HasSequenceHead() && labelsPath is null)
        {
            throw new ArgumentException("A multitask model needs a sentence-label file joined to the CoNLL file.", nameof(labelsPath));
        }

        if (!task.HasTokenHead() && labelsPath is null)
        {
            return await LoadTextLabelsAsync(dataPath, cancellationToken).ConfigureAwait(false);
        }

        ConllCorpus corpus = await new ConllReader().LoadAsync(dataPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (labelsPath is null)
        {
            return corpus.Sentences.Select(s => new TrainingExample(s.Words, s.Tags)).ToArray();
        }

        IReadOnlyList<SentenceLabelRow> rows = await SentenceLabelFile.LoadAsync(labelsPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        IReadOnlyList<LabeledSentence> joined = SentenceLabelFile.Join(corpus.Sentences, rows, labelsPath);
        if (!task.HasTokenHead())
        {
            return joined.Select(j => new TrainingExample(j.Sentence.Words, null, j.Label)).ToArray();
        }

        var labels = joined.ToDictionary(j => j.Sentence.Index, j => j.Label);
        return corpus.Sentences.Select(s => new TrainingExample(s.Words, s.Tags, labels.GetValueOrDefault(s.Index))).ToArray();
    }

    /// <summary>
    /// Reads the words of a CoNLL file and nothing else: the first column of every line, sentences split at blank lines,
    /// <c>-DOCSTART-</c> lines skipped. Tags and other columns are never parsed, so an unlabelled file (one word per
    /// line) and a labelled one give the same sentences; this is the input of
    /// <c>NerClassifier.SelfTrainAsync</c>.
    /// </summary>
    /// <param name="path">The CoNLL file.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The sentences' words, in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is not valid UTF-8; the message starts with <c>file:line</c>.</exception>
    public static async Task<IReadOnlyList<IReadOnlyList<string>>> LoadWordsAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CoNLL file '{path}' was not found.", path);
        }

        using var reader = new StreamReader(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        var sentences = new List<IReadOnlyList<string>>();
        var words = new List<string>();
        int line = 0;
        try
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
            {
                line++;
                int start = 0;
                while (start < text.Length && char.IsWhiteSpace(text[start]))
                {
                    start++;
                }

                int end = start;
                while (end < text.Length && !char.IsWhiteSpace(text[end]))
                {
                    end++;
                }

                string word = text[start..end];
                if (word.Length == 0 || word == "-DOCSTART-")
                {
                    if (words.Count > 0)
                    {
                        sentences.Add(words.ToArray());
                        words.Clear();
                    }

                    continue;
                }

                words.Add(word);
            }
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"{path}:{line + 1}: the file is not valid UTF-8 ({e.Message}).", e);
        }

        if (words.Count > 0)
        {
            sentences.Add(words.ToArray());
        }

        return sentences;
    }

    /// <summary>Loads a text-label file: one example per row, the text split into words, no tags.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The header lacks a column, or a row is malformed; the message starts with <c>file:line</c>.</exception>
    public static async Task<IReadOnlyList<TrainingExample>> LoadTextLabelsAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Text-label file '{path}' was not found.", path);
        }

        bool csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        using var reader = new StreamReader(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        var examples = new List<TrainingExample>();
        int textColumn = -1;
        int labelColumn = -1;
        int line = 0;
        try
        {
            while (await ReadRecordAsync(reader, csv, path, () => ++line, cancellationToken).ConfigureAwait(false) is { } fields)
            {
                if (textColumn < 0)
                {
                    string[] names = fields.Select(f => f.Trim().ToLowerInvariant()).ToArray();
                    textColumn = Array.IndexOf(names, "text");
                    labelColumn = Array.IndexOf(names, "label");
                    if (textColumn < 0 || labelColumn < 0)
                    {
                        throw new FormatException($"{path}:{line}: the header must name a 'text' and a 'label' column; it has '{Excerpt(string.Join(csv ? "," : "\t", fields))}'.");
                    }

                    continue;
                }

                if (fields.Count == 1 && fields[0].Length == 0)
                {
                    continue;
                }

                if (fields.Count <= Math.Max(textColumn, labelColumn))
                {
                    throw new FormatException($"{path}:{line}: expected at least {Math.Max(textColumn, labelColumn) + 1} {(csv ? "comma" : "tab")}-separated fields, found {fields.Count}.");
                }

                string label = fields[labelColumn].Trim();
                if (label.Length == 0)
                {
                    throw new FormatException($"{path}:{line}: the label is empty.");
                }

                IReadOnlyList<string> words = TextWordSplitter.Split(fields[textColumn]).Words;
                if (words.Count == 0)
                {
                    throw new FormatException($"{path}:{line}: the text is empty.");
                }

                examples.Add(new TrainingExample(words, null, label));
            }
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"{path}:{line + 1}: the file is not valid UTF-8 ({e.Message}).", e);
        }

        if (textColumn < 0)
        {
            throw new FormatException($"{path}:1: the file is empty; it needs a header with 'text' and 'label' columns.");
        }

        return examples;
    }

    /// <summary>Reads one record: a tab-separated line, or a CSV record whose quoted fields may span lines.</summary>
    private static async Task<List<string>?> ReadRecordAsync(TextReader reader, bool csv, string path, Func<int> countLine, CancellationToken cancellationToken)
    {
        string? first = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return null;
        }

        int startLine = countLine();
        if (!csv)
        {
            return [.. first.Split('\t')];
        }

        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        string current = first;
        while (true)
        {
            for (int i = 0; i < current.Length; i++)
            {
                char c = current[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < current.Length && current[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"' && field.Length == 0)
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }

            if (!quoted)
            {
                fields.Add(field.ToString());
                return fields;
            }

            string? next = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                throw new FormatException($"{path}:{startLine}: a quoted CSV field opened on this line is not closed before the end of the file.");
            }

            countLine();
            field.Append('\n');
            current = next;
        }
    }

    private static string Excerpt(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 120), "...");
}
