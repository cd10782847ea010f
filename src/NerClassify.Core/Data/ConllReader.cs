using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NerClassify.Data;

/// <summary>
/// Reads CoNLL files: one token per line in columns separated by spaces or tabs, a blank line between sentences and
/// <c>-DOCSTART-</c> lines between documents (kept as document boundaries, never returned as sentences).
/// </summary>
public sealed class ConllReader
{
    private const string DocStart = "-DOCSTART-";
    private const string ReaderName = "<input>";

    // Only spaces and tabs separate columns, as in the CoNLL files; a no-break space (U+00A0) or another Unicode
    // space belongs to the word it is in.
    private static readonly char[] ColumnSeparators = [' ', '\t'];
    private readonly ILogger _logger;

    /// <summary>Creates a reader.</summary>
    /// <param name="logger">Receives warnings about the data; defaults to <see cref="NullLogger"/>.</param>
    public ConllReader(ILogger<ConllReader>? logger = null)
    {
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Streams the sentences of a CoNLL file.</summary>
    /// <param name="path">The file to read (UTF-8; invalid UTF-8 is a <see cref="FormatException"/> naming the line).</param>
    /// <param name="options">Reading options; <see cref="ConllReaderOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The sentences in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">(While enumerating.) A line is malformed; the message starts with <c>file:line</c>.</exception>
    public IAsyncEnumerable<ConllSentence> ReadAsync(string path, ConllReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= ConllReaderOptions.Default;
        options.Validate();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CoNLL file '{path}' was not found.", path);
        }

        return ReadFileCoreAsync(path, options, cancellationToken);
    }

    /// <summary>Streams the sentences of CoNLL text. The reader is not disposed.</summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="options">Reading options; <see cref="ConllReaderOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The sentences in order.</returns>
    /// <exception cref="FormatException">(While enumerating.) A line is malformed; the message starts with <c>file:line</c>.</exception>
    public IAsyncEnumerable<ConllSentence> ReadAsync(TextReader reader, ConllReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= ConllReaderOptions.Default;
        options.Validate();
        return ReadCoreAsync(reader, options, options.FileName ?? ReaderName, options.Scheme, null, null, cancellationToken);
    }

    /// <summary>Loads a whole CoNLL file, detects its scheme and checks its transitions.</summary>
    /// <param name="path">The file to read (UTF-8; invalid UTF-8 is a <see cref="FormatException"/> naming the line).</param>
    /// <param name="options">Reading options; <see cref="ConllReaderOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The corpus, with its documents, detected scheme and warnings.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line is malformed; the message starts with <c>file:line</c>.</exception>
    public Task<ConllCorpus> LoadAsync(string path, ConllReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= ConllReaderOptions.Default;
        options.Validate();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CoNLL file '{path}' was not found.", path);
        }

        return LoadFileCoreAsync(path, options, cancellationToken);
    }

    /// <summary>Loads all CoNLL text from a reader, detects its scheme and checks its transitions. The reader is not disposed.</summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="options">Reading options; <see cref="ConllReaderOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The corpus, with its documents, detected scheme and warnings.</returns>
    /// <exception cref="FormatException">A line is malformed; the message starts with <c>file:line</c>.</exception>
    public Task<ConllCorpus> LoadAsync(TextReader reader, ConllReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= ConllReaderOptions.Default;
        options.Validate();
        return LoadCoreAsync(reader, options, options.FileName ?? ReaderName, cancellationToken);
    }

    private async Task<ConllCorpus> LoadFileCoreAsync(string path, ConllReaderOptions options, CancellationToken cancellationToken)
    {
        string fileName = options.FileName ?? path;
        using var reader = Utf8LineReader.Open(path, fileName);
        return await LoadCoreAsync(reader, options, fileName, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ConllCorpus> LoadCoreAsync(TextReader reader, ConllReaderOptions options, string fileName, CancellationToken cancellationToken)
    {
        var warnings = new List<ConllWarning>();
        var raw = new List<ConllSentence>();
        var documentLines = new List<int>();

        // First pass: syntax only (plus prefix checks when the scheme is given); transitions need the scheme first.
        await foreach (var sentence in ReadCoreAsync(reader, options with { TargetScheme = null }, fileName, null, warnings, documentLines, cancellationToken).ConfigureAwait(false))
        {
            raw.Add(sentence);
        }

        LabelScheme detected;
        if (options.Scheme is { } given)
        {
            detected = given;
        }
        else
        {
            var detector = new TagSchemeDetector();
            foreach (var sentence in raw)
            {
                detector.Observe(sentence.Tags);
            }

            detected = detector.DetectedScheme;
        }

        var sentences = new ConllSentence[raw.Count];
        for (int i = 0; i < raw.Count; i++)
        {
            var sentence = ApplyScheme(raw[i], detected, options.InvalidTransitions, fileName, warnings);
            sentences[i] = options.TargetScheme is { } target && target != detected
                ? sentence with { Tags = TagSchemeConverter.Convert(sentence.Tags, target) }
                : sentence;
        }

        var documents = BuildDocuments(sentences, documentLines);
        DataLog.CorpusLoaded(_logger, sentences.Length, documents.Count, fileName, detected, warnings.Count);
        return new ConllCorpus(fileName, sentences, documents, detected, options.TargetScheme ?? detected, warnings);
    }

    private static List<ConllDocument> BuildDocuments(ConllSentence[] sentences, List<int> documentLines)
    {
        // documentLines[d] is the -DOCSTART- line of document d, or 0 for an implicit first document.
        var perDocument = new List<ConllSentence>[documentLines.Count];
        for (int d = 0; d < perDocument.Length; d++)
        {
            perDocument[d] = [];
        }

        foreach (var sentence in sentences)
        {
            perDocument[sentence.DocumentIndex].Add(sentence);
        }

        var documents = new List<ConllDocument>(perDocument.Length);
        for (int d = 0; d < perDocument.Length; d++)
        {
            documents.Add(new ConllDocument(d, documentLines[d], perDocument[d]));
        }

        return documents;
    }

    private async IAsyncEnumerable<ConllSentence> ReadFileCoreAsync(string path, ConllReaderOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string fileName = options.FileName ?? path;
        using var reader = Utf8LineReader.Open(path, fileName);
        await foreach (var sentence in ReadCoreAsync(reader, options, fileName, options.Scheme, null, null, cancellationToken).ConfigureAwait(false))
        {
            yield return sentence;
        }
    }

    // transitionScheme: the scheme whose transitions are checked per sentence, or null to skip the check.
    // warnings: collects warnings as well as logging them, when not null.
    // documentLines: receives the line of each document's -DOCSTART- (0 for an implicit first document), when not null.
    private async IAsyncEnumerable<ConllSentence> ReadCoreAsync(
        TextReader reader,
        ConllReaderOptions options,
        string fileName,
        LabelScheme? transitionScheme,
        List<ConllWarning>? warnings,
        List<int>? documentLines,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var words = new List<string>();
        var tags = new List<string>();
        List<string>[] extras = [];
        int columnCount = 0;
        int fileColumnCount = 0;
        int fileColumnLine = 0;
        int tagColumn = 0;
        int firstLine = 0;
        int lineNumber = 0;
        int sentenceIndex = 0;
        int documentIndex = 0;
        bool sawDocStart = false;
        bool documentUsed = false;

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is not null)
            {
                lineNumber++;
            }

            bool blank = line is null || string.IsNullOrWhiteSpace(line);
            string[]? columns = blank ? null : line!.Split(ColumnSeparators, StringSplitOptions.RemoveEmptyEntries);
            bool docStart = columns is not null && columns[0] == DocStart;

            if ((blank || docStart) && words.Count > 0)
            {
                var sentence = new ConllSentence(words.ToArray(), tags.ToArray(), sentenceIndex++, documentIndex, firstLine)
                {
                    ExtraColumns = extras.Length == 0 ? [] : Array.ConvertAll(extras, e => (IReadOnlyList<string>)e.ToArray()),
                };
                words.Clear();
                tags.Clear();
                if (transitionScheme is { } scheme)
                {
                    sentence = ApplyScheme(sentence, scheme, options.InvalidTransitions, fileName, warnings);
                }

                if (options.TargetScheme is { } target && target != transitionScheme)
                {
                    sentence = sentence with { Tags = TagSchemeConverter.Convert(sentence.Tags, target) };
                }

                if (!sawDocStart && documentLines is { Count: 0 })
                {
                    documentLines.Add(0);
                }

                documentUsed = true;
                yield return sentence;
            }

            if (line is null)
            {
                yield break;
            }

            if (docStart)
            {
                if (sawDocStart || documentUsed)
                {
                    documentIndex++;
                }

                sawDocStart = true;
                documentUsed = false;
                documentLines?.Add(lineNumber);
                continue;
            }

            if (columns is null)
            {
                continue;
            }

            if (words.Count == 0)
            {
                columnCount = columns.Length;
                tagColumn = options.TagColumn ?? columnCount - 1;
                if (columnCount < 2)
                {
                    throw new FormatException(
                        $"{fileName}:{lineNumber}: expected a word and a tag separated by spaces or tabs, but the line has 1 column: '{LineExcerpt.Of(line)}'.");
                }

                if (tagColumn >= columnCount || options.WordColumn >= columnCount)
                {
                    throw new FormatException(
                        $"{fileName}:{lineNumber}: expected a word in column {options.WordColumn} and a tag in column {tagColumn} but the line has {columnCount} column(s): '{LineExcerpt.Of(line)}'.");
                }

                // Every sentence must have the file's columns: a sentence that lost its last (NER) column would
                // otherwise be read with the chunk tags before it, which look just like entity tags.
                if (fileColumnCount == 0)
                {
                    fileColumnCount = columnCount;
                    fileColumnLine = lineNumber;
                }
                else if (columnCount != fileColumnCount)
                {
                    throw new FormatException(
                        $"{fileName}:{lineNumber}: expected {fileColumnCount} columns as on line {fileColumnLine}, the file's first token line, but found {columnCount}: '{LineExcerpt.Of(line)}'. Every sentence of a file needs the same columns.");
                }

                firstLine = lineNumber;
                if (extras.Length != columnCount - 2)
                {
                    extras = new List<string>[columnCount - 2];
                    for (int e = 0; e < extras.Length; e++)
                    {
                        extras[e] = [];
                    }
                }
                else
                {
                    foreach (var extra in extras)
                    {
                        extra.Clear();
                    }
                }
            }
            else if (columns.Length != columnCount)
            {
                throw new FormatException(
                    $"{fileName}:{lineNumber}: expected {columnCount} columns as on line {firstLine}, the sentence's first line, but found {columns.Length}: '{LineExcerpt.Of(line)}'.");
            }

            string tag = columns[tagColumn];
            if (!EntityTag.IsWellFormed(tag))
            {
                throw new FormatException($"{fileName}:{lineNumber}: invalid tag '{LineExcerpt.Of(tag)}': expected O or B-, I-, E-, S- followed by an entity type.");
            }

            if (options.Scheme is { } declared && !TagTransitionValidator.IsAllowedPrefix(tag, declared))
            {
                throw new FormatException($"{fileName}:{lineNumber}: invalid tag '{LineExcerpt.Of(tag)}' for scheme {declared}.");
            }

            words.Add(columns[options.WordColumn]);
            tags.Add(tag);
            int extraIndex = 0;
            for (int c = 0; c < columns.Length; c++)
            {
                if (c != tagColumn && c != options.WordColumn)
                {
                    extras[extraIndex++].Add(columns[c]);
                }
            }
        }
    }

    private ConllSentence ApplyScheme(ConllSentence sentence, LabelScheme scheme, InvalidTransitionHandling handling, string fileName, List<ConllWarning>? warnings)
    {
        var violations = TagTransitionValidator.FindViolations(sentence.Tags, scheme);
        if (violations is null)
        {
            return sentence;
        }

        var tags = sentence.Tags;
        string[] repaired = TagSchemeConverter.Convert(tags, scheme);
        if (handling == InvalidTransitionHandling.Throw)
        {
            int first = violations[0];
            throw new FormatException($"{fileName}:{sentence.LineNumber + first}: {Describe(tags, first, scheme)}.");
        }

        foreach (int i in violations)
        {
            string outcome = handling == InvalidTransitionHandling.Repair && repaired[i] != tags[i]
                ? $"repaired to '{repaired[i]}'"
                : handling == InvalidTransitionHandling.Repair ? "repaired around it" : "kept as written";
            string message = $"{Describe(tags, i, scheme)}; {outcome}";
            int line = sentence.LineNumber + i;
            DataLog.DataWarning(_logger, fileName, line, message);
            warnings?.Add(new ConllWarning(fileName, line, message));
        }

        return handling == InvalidTransitionHandling.Repair ? sentence with { Tags = repaired } : sentence;
    }

    private static string Describe(IReadOnlyList<string> tags, int i, LabelScheme scheme)
    {
        string previous = i == 0 ? "the sentence start" : $"'{LineExcerpt.Of(tags[i - 1])}'";
        bool unclosedEnd = scheme == LabelScheme.Bioes && i == tags.Count - 1 && EntityTag.Prefix(tags[i]) is 'B' or 'I'
            && (i == 0 || EntityTag.Prefix(tags[i]) != 'I' || EntityTag.SameType(tags[i - 1], tags[i]));
        return unclosedEnd
            ? $"tag '{LineExcerpt.Of(tags[i])}' ends the sentence without closing its entity, which {scheme} does not allow"
            : $"tag '{LineExcerpt.Of(tags[i])}' after {previous} is not allowed in {scheme}";
    }
}
