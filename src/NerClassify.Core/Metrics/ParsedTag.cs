namespace NerClassify.Metrics;

/// <summary>
/// A tag split into its one-letter prefix (<c>B</c>, <c>I</c>, <c>E</c>, <c>S</c> or <c>O</c>) and its type.
/// </summary>
/// <param name="Prefix">The prefix letter; <see cref="Outside"/> for <c>O</c>.</param>
/// <param name="Type">The entity type; empty for <c>O</c>.</param>
internal readonly record struct ParsedTag(char Prefix, string Type)
{
    /// <summary>The prefix of the outside tag <c>O</c>.</summary>
    public const char Outside = 'O';

    /// <summary>Gets a value indicating whether this is the outside tag.</summary>
    public bool IsOutside => Prefix == Outside;

    /// <summary>
    /// Parses <c>O</c> or <c>P-TYPE</c> with <c>P</c> one of <c>B</c>, <c>I</c>, <c>E</c>, <c>S</c> and a
    /// non-empty type. Anything else throws an <see cref="ArgumentException"/> that names the argument,
    /// the sentence (when known) and the position.
    /// </summary>
    public static ParsedTag Parse(string? tag, string paramName, int? sentence, int position)
    {
        if (tag is null)
        {
            throw new ArgumentException($"{Where(sentence, position)} holds a null tag.", paramName);
        }

        if (tag.Length == 1 && tag[0] == Outside)
        {
            return new ParsedTag(Outside, string.Empty);
        }

        if (tag.Length < 3 || tag[1] != '-' || tag[0] is not ('B' or 'I' or 'E' or 'S'))
        {
            throw new ArgumentException(
                $"{Where(sentence, position)} holds '{tag}', which is neither 'O' nor a B-, I-, E- or S- tag with a type.",
                paramName);
        }

        return new ParsedTag(tag[0], tag[2..]);
    }

    /// <summary>Describes a position for an error message.</summary>
    public static string Where(int? sentence, int position) =>
        sentence is { } s ? $"Sentence {s}, position {position}," : $"Position {position}";
}
