namespace NerClassify.Data;

/// <summary>
/// The one tag grammar of the library: <c>O</c>; a prefix <c>B</c>, <c>I</c>, <c>E</c> or <c>S</c>, a hyphen and a
/// non-blank type (<c>B-PER</c>); or an untyped prefix alone (<c>B</c>), whose type is <see cref="UntypedType"/>, as
/// in seqeval. The readers, the metrics and the decoder all parse tags here.
/// </summary>
internal static class EntityTag
{
    /// <summary>The outside tag.</summary>
    public const string Outside = "O";

    /// <summary>The type of an untyped tag (seqeval's name for it).</summary>
    public const string UntypedType = "_";

    /// <summary>Parses a tag without allocating.</summary>
    /// <param name="tag">The tag.</param>
    /// <param name="prefix"><c>O</c>, <c>B</c>, <c>I</c>, <c>E</c> or <c>S</c>.</param>
    /// <param name="type">The type; empty for <c>O</c>, <see cref="UntypedType"/> for an untyped tag.</param>
    /// <returns>Whether the tag follows the grammar.</returns>
    public static bool TryParse(string? tag, out char prefix, out ReadOnlySpan<char> type)
    {
        prefix = 'O';
        type = [];
        if (tag is null || tag.Length == 0)
        {
            return false;
        }

        if (tag == Outside)
        {
            return true;
        }

        if (tag[0] is not ('B' or 'I' or 'E' or 'S'))
        {
            return false;
        }

        if (tag.Length == 1)
        {
            prefix = tag[0];
            type = UntypedType;
            return true;
        }

        if (tag.Length < 3 || tag[1] != '-' || tag.AsSpan(2).IsWhiteSpace())
        {
            return false;
        }

        prefix = tag[0];
        type = tag.AsSpan(2);
        return true;
    }

    /// <summary>Whether <paramref name="tag"/> follows the grammar.</summary>
    public static bool IsWellFormed(string tag) => TryParse(tag, out _, out _);

    /// <summary>Whether <paramref name="tag"/> has no type after its prefix (<c>B</c>, <c>I</c>, <c>E</c>, <c>S</c>).</summary>
    public static bool IsUntyped(string tag) => tag.Length == 1 && tag[0] is 'B' or 'I' or 'E' or 'S';

    /// <summary>The prefix character; 'O' for the outside tag and for anything outside the grammar.</summary>
    public static char Prefix(string tag) => TryParse(tag, out char prefix, out _) ? prefix : 'O';

    /// <summary>The entity type: empty for <c>O</c>, <see cref="UntypedType"/> for an untyped tag.</summary>
    public static ReadOnlySpan<char> Type(string tag) => TryParse(tag, out _, out ReadOnlySpan<char> type) ? type : [];

    /// <summary>Whether two tags name the same entity type (both not <c>O</c>).</summary>
    public static bool SameType(string a, string b) =>
        Prefix(a) != 'O' && Prefix(b) != 'O' && Type(a).SequenceEqual(Type(b));
}
