namespace NerClassify.Data;

/// <summary>Parses tags of the form <c>O</c> or <c>P-TYPE</c> with P one of B, I, E, S.</summary>
internal static class EntityTag
{
    public const string Outside = "O";

    /// <summary>Whether <paramref name="tag"/> is <c>O</c> or a prefix (B, I, E, S), a hyphen and a non-empty type.</summary>
    public static bool IsWellFormed(string tag) =>
        tag == Outside || (tag.Length >= 3 && tag[1] == '-' && tag[0] is 'B' or 'I' or 'E' or 'S' && !string.IsNullOrWhiteSpace(tag[2..]));

    /// <summary>The prefix character, or 'O' for the outside tag.</summary>
    public static char Prefix(string tag) => tag == Outside ? 'O' : tag[0];

    /// <summary>The entity type (empty for <c>O</c>).</summary>
    public static ReadOnlySpan<char> Type(string tag) => tag == Outside ? [] : tag.AsSpan(2);

    /// <summary>Whether two tags name the same entity type (both not <c>O</c>).</summary>
    public static bool SameType(string a, string b) =>
        a != Outside && b != Outside && a.AsSpan(2).SequenceEqual(b.AsSpan(2));
}
