using System.Globalization;

namespace NerClassify.Data;

/// <summary>Shortens text quoted in exception messages, so a huge line or field never ends up in a message or a log whole.</summary>
internal static class LineExcerpt
{
    /// <summary>The most characters of the text a message quotes.</summary>
    public const int MaxLength = 200;

    /// <summary>The text itself when short; else its first <see cref="MaxLength"/> characters, "..." and its full length.</summary>
    public static string Of(string? text)
    {
        if (text is null || text.Length <= MaxLength)
        {
            return text ?? string.Empty;
        }

        // Do not cut a surrogate pair in half.
        int keep = char.IsHighSurrogate(text[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
        return string.Create(CultureInfo.InvariantCulture, $"{text.AsSpan(0, keep)}... ({text.Length:N0} characters)");
    }
}
