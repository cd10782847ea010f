namespace NerClassify.Data;

/// <summary>How <see cref="ConllWriter"/> lays out a CoNLL file. Change options with <c>with</c>.</summary>
internal sealed record ConllWriterOptions
{
    /// <summary>The default options: word first, tag last, <c>-DOCSTART-</c> lines written, single spaces.</summary>
    public static ConllWriterOptions Default { get; } = new();

    /// <summary>The 0-based column of the word. Default 0.</summary>
    public int WordColumn { get; init; }

    /// <summary>The 0-based column of the tag, or <see langword="null"/> (the default) for the last column.</summary>
    public int? TagColumn { get; init; }

    /// <summary>Whether to write a <c>-DOCSTART-</c> line before the first sentence of each document. Default true.</summary>
    public bool WriteDocumentBoundaries { get; init; } = true;

    /// <summary>The column separator: a space (the default) or a tab.</summary>
    public char Separator { get; init; } = ' ';

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(WordColumn);
        if (TagColumn is < 0 || TagColumn == WordColumn)
        {
            throw new ArgumentOutOfRangeException(nameof(TagColumn), TagColumn, "TagColumn must be null (last column) or non-negative and differ from WordColumn.");
        }

        if (Separator is not (' ' or '\t'))
        {
            throw new ArgumentOutOfRangeException(nameof(Separator), Separator, "Separator must be a space or a tab.");
        }
    }
}
