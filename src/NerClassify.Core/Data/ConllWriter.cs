using NerClassify.IO;
namespace NerClassify.Data;

/// <summary>Writes sentences as a CoNLL file, the inverse of <see cref="ConllReader"/>.</summary>
internal static class ConllWriter
{
    /// <summary>Writes sentences to a file atomically (a temporary file, then a rename). Tags are written as given.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="sentences">The sentences; all sentences must have the same number of extra columns.</param>
    /// <param name="options">Layout options; <see cref="ConllWriterOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops writing; the target file is then left untouched.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public static Task WriteAsync(string path, IEnumerable<ConllSentence> sentences, ConllWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(sentences);
        options ??= ConllWriterOptions.Default;
        options.Validate();
        return AtomicFile.WriteAsync(path, (writer, ct) => WriteCoreAsync(writer, sentences, options, ct), cancellationToken);
    }

    /// <summary>Writes sentences to a text writer, which is not disposed.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="sentences">The sentences; all sentences must have the same number of extra columns.</param>
    /// <param name="options">Layout options; <see cref="ConllWriterOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops writing.</param>
    /// <returns>A task that completes when everything is written.</returns>
    public static Task WriteAsync(TextWriter writer, IEnumerable<ConllSentence> sentences, ConllWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sentences);
        options ??= ConllWriterOptions.Default;
        options.Validate();
        return WriteCoreAsync(writer, sentences, options, cancellationToken);
    }

    private static async Task WriteCoreAsync(TextWriter writer, IEnumerable<ConllSentence> sentences, ConllWriterOptions options, CancellationToken cancellationToken)
    {
        int previousDocument = -1;
        bool first = true;
        var columns = new string[2];
        foreach (var sentence in sentences)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int columnCount = sentence.ExtraColumns.Count + 2;
            int tagColumn = options.TagColumn ?? columnCount - 1;
            if (tagColumn >= columnCount || options.WordColumn >= columnCount)
            {
                throw new ArgumentException(
                    $"Sentence {sentence.Index} has {columnCount} columns; word column {options.WordColumn} or tag column {tagColumn} does not fit.", nameof(sentences));
            }

            if (columns.Length != columnCount)
            {
                columns = new string[columnCount];
            }

            if (options.WriteDocumentBoundaries && sentence.DocumentIndex != previousDocument)
            {
                for (int c = 0; c < columnCount; c++)
                {
                    columns[c] = c == options.WordColumn ? "-DOCSTART-" : c == tagColumn ? "O" : "-X-";
                }

                await WriteBlockSeparatorAsync(writer, first).ConfigureAwait(false);
                await writer.WriteLineAsync(string.Join(options.Separator, columns)).ConfigureAwait(false);
                first = false;
            }

            previousDocument = sentence.DocumentIndex;
            await WriteBlockSeparatorAsync(writer, first).ConfigureAwait(false);
            first = false;
            for (int i = 0; i < sentence.Count; i++)
            {
                int extra = 0;
                for (int c = 0; c < columnCount; c++)
                {
                    columns[c] = c == options.WordColumn ? sentence.Words[i]
                        : c == tagColumn ? sentence.Tags[i]
                        : sentence.ExtraColumns[extra++][i];
                }

                await writer.WriteLineAsync(string.Join(options.Separator, columns)).ConfigureAwait(false);
            }
        }

        if (!first)
        {
            await writer.WriteLineAsync().ConfigureAwait(false);
        }
    }

    private static Task WriteBlockSeparatorAsync(TextWriter writer, bool first) =>
        first ? Task.CompletedTask : writer.WriteLineAsync();
}
