namespace NerClassify.Metrics;

/// <summary>
/// A tag split into its one-letter prefix (<c>B</c>, <c>I</c>, <c>E</c>, <c>S</c> or <c>O</c>) and its type.
/// </summary>
/// <param name="Prefix">The prefix letter; <see cref="Outside"/> for <c>O</c>.</param>
/// <param name="Type">The entity type; empty for <c>O</c>, <see cref="UntypedType"/> for an untyped tag such as <c>B</c>.</param>
/// <param name="HasType">Whether the tag was written with a type (<c>B-PER</c>, not <c>B</c> or <c>O</c>).</param>
internal readonly record struct ParsedTag(char Prefix, string Type, bool HasType = true)
{
    /// <summary>The type seqeval gives untyped tags (<c>B</c>, <c>I</c>, <c>E</c>, <c>S</c>).</summary>
    public const string UntypedType = Data.EntityTag.UntypedType;

    /// <summary>The prefix of the outside tag <c>O</c>.</summary>
    public const char Outside = 'O';

    /// <summary>Gets a value indicating whether this is the outside tag.</summary>
    public bool IsOutside => Prefix == Outside;

    /// <summary>
    /// Parses <c>O</c>, <c>P-TYPE</c> with <c>P</c> one of <c>B</c>, <c>I</c>, <c>E</c>, <c>S</c> and a
    /// non-empty type, or an untyped <c>B</c>, <c>I</c>, <c>E</c> or <c>S</c> (type <see cref="UntypedType"/>, as in
    /// seqeval). Anything else throws an <see cref="ArgumentException"/> that names the argument, the sentence
    /// (when known) and the position.
    /// </summary>
    public static ParsedTag Parse(string? tag, string paramName, int? sentence, int position)
    {
        if (tag is null)
        {
            throw new ArgumentException($"{Where(sentence, position)} holds a null tag.", paramName);
        }

        if (!Data.EntityTag.TryParse(tag, out char prefix, out ReadOnlySpan<char> type))
        {
            throw new ArgumentException(
                $"{Where(sentence, position)} holds '{Data.LineExcerpt.Of(tag)}', which is neither 'O', an untyped B, I, E or S, nor a B-, I-, E- or S- tag with a type.",
                paramName);
        }

        return prefix == Outside
            ? new ParsedTag(Outside, string.Empty, HasType: false)
            : new ParsedTag(prefix, type.ToString(), HasType: !Data.EntityTag.IsUntyped(tag));
    }

    /// <summary>Describes a position for an error message.</summary>
    public static string Where(int? sentence, int position) =>
        sentence is { } s ? $"Sentence {s}, position {position}," : $"Position {position}";
}
