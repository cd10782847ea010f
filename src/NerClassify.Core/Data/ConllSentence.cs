namespace NerClassify.Data;

/// <summary>One sentence of a CoNLL file: its words, their tags and any other columns.</summary>
/// <remarks>
/// The tokens of a sentence sit on consecutive lines, so token <c>i</c> is on line <see cref="LineNumber"/> + <c>i</c>.
/// Change tags with <c>with { Tags = ... }</c>; the record is otherwise immutable.
/// </remarks>
public sealed record ConllSentence
{
    private readonly IReadOnlyList<string> _tags;

    /// <summary>Creates a sentence.</summary>
    /// <param name="words">The words, one per token.</param>
    /// <param name="tags">The tags, one per word.</param>
    /// <param name="index">The 0-based sentence index in its file, <c>-DOCSTART-</c> lines skipped.</param>
    /// <param name="documentIndex">The 0-based index of the document the sentence belongs to.</param>
    /// <param name="lineNumber">The 1-based line of the first token (0 when not read from a file).</param>
    /// <exception cref="ArgumentException">The word and tag counts differ.</exception>
    public ConllSentence(IReadOnlyList<string> words, IReadOnlyList<string> tags, int index = 0, int documentIndex = 0, int lineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfNegative(documentIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(lineNumber);
        Words = words;
        _tags = CheckTags(tags, words.Count);
        Index = index;
        DocumentIndex = documentIndex;
        LineNumber = lineNumber;
    }

    /// <summary>The words (the word column), in order.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>The tags (the tag column), one per word.</summary>
    public IReadOnlyList<string> Tags
    {
        get => _tags;
        init => _tags = CheckTags(value, Words.Count);
    }

    /// <summary>
    /// The columns that are neither the word nor the tag (for CoNLL-2003: POS and chunk), in file order;
    /// each is a list with one entry per word. Empty by default.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> ExtraColumns { get; init; } = [];

    /// <summary>The 0-based sentence index in its file; <c>-DOCSTART-</c> lines are not sentences.</summary>
    public int Index { get; init; }

    /// <summary>The 0-based index of the document (delimited by <c>-DOCSTART-</c> lines) the sentence belongs to.</summary>
    public int DocumentIndex { get; init; }

    /// <summary>The 1-based line number of the first token, or 0 when the sentence was not read from a file.</summary>
    public int LineNumber { get; init; }

    /// <summary>The number of words.</summary>
    public int Count => Words.Count;

    /// <summary>The words joined by single spaces, as in the <c>text</c> column of sentence-label files.</summary>
    public string Text => string.Join(' ', Words);

    private static IReadOnlyList<string> CheckTags(IReadOnlyList<string> tags, int wordCount)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (tags.Count != wordCount)
        {
            throw new ArgumentException($"A sentence of {wordCount} words needs {wordCount} tags, not {tags.Count}.", nameof(tags));
        }

        return tags;
    }
}
