namespace NerClassify.Data;

/// <summary>How <see cref="ConllReader"/> reads a CoNLL file. Change options with <c>with</c>.</summary>
public sealed record ConllReaderOptions
{
    /// <summary>The default options: word in column 0, tag in the last column, scheme detected, warnings for invalid transitions.</summary>
    public static ConllReaderOptions Default { get; } = new();

    /// <summary>The 0-based column of the word. Default 0.</summary>
    public int WordColumn { get; init; }

    /// <summary>The 0-based column of the tag, or <see langword="null"/> (the default) for the last column.</summary>
    public int? TagColumn { get; init; }

    /// <summary>
    /// The scheme the file is written in, or <see langword="null"/> (the default) to detect it.
    /// When given, tags of other schemes (<c>E-</c>/<c>S-</c> in IOB files) are errors and transitions are checked while streaming;
    /// when detected, transitions are checked only by <see cref="ConllReader.LoadAsync(string, ConllReaderOptions?, CancellationToken)"/>.
    /// </summary>
    public LabelScheme? Scheme { get; init; }

    /// <summary>The scheme to convert tags to, or <see langword="null"/> (the default) to keep them as written.</summary>
    public LabelScheme? TargetScheme { get; init; }

    /// <summary>What to do with a tag that breaks the scheme's transitions (such as <c>I-</c> after <c>O</c> in IOB2). Default <see cref="InvalidTransitionHandling.Warn"/>.</summary>
    internal InvalidTransitionHandling InvalidTransitions { get; init; } = InvalidTransitionHandling.Warn;

    /// <summary>The file name used in messages, or <see langword="null"/> (the default) for the path read, or <c>&lt;input&gt;</c> for a reader.</summary>
    public string? FileName { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(WordColumn);
        if (TagColumn is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TagColumn), TagColumn, "TagColumn must be null (last column) or non-negative.");
        }

        if (TagColumn == WordColumn)
        {
            throw new ArgumentOutOfRangeException(nameof(TagColumn), TagColumn, "TagColumn must differ from WordColumn.");
        }

        if (Scheme is { } scheme && !Enum.IsDefined(scheme))
        {
            throw new ArgumentOutOfRangeException(nameof(Scheme), scheme, "Unknown label scheme.");
        }

        if (TargetScheme is { } target && !Enum.IsDefined(target))
        {
            throw new ArgumentOutOfRangeException(nameof(TargetScheme), target, "Unknown label scheme.");
        }

        if (!Enum.IsDefined(InvalidTransitions))
        {
            throw new ArgumentOutOfRangeException(nameof(InvalidTransitions), InvalidTransitions, "Unknown handling.");
        }
    }
}
