using System.Globalization;
using System.Text.RegularExpressions;

namespace NerClassify.Labelling;

/// <summary>
/// Reads a class out of a model's answer. An answer counts when it names exactly one valid class, by number or by name,
/// however much text surrounds it; numbers outside the classes are ignored, and two different classes make it ambiguous.
/// </summary>
internal static partial class LabelAnswerParser
{
    /// <summary>Returns the single class named in <paramref name="answer"/>, or <see langword="null"/> when there is none or more than one.</summary>
    public static int? Parse(string? answer, IReadOnlyList<string> categories)
    {
        if (string.IsNullOrWhiteSpace(answer))
        {
            return null;
        }

        int? found = null;
        foreach (Match match in NumberPattern().Matches(answer))
        {
            // A run of digits too long for an int is no class either.
            if (int.TryParse(match.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int number)
                && number < categories.Count
                && !Accept(ref found, number))
            {
                return null;
            }
        }

        for (int i = 0; i < categories.Count; i++)
        {
            if (ContainsWord(answer, categories[i]) && !Accept(ref found, i))
            {
                return null;
            }
        }

        return found;
    }

    // False when a second, different class turns up.
    private static bool Accept(ref int? found, int label)
    {
        if (found is { } previous && previous != label)
        {
            return false;
        }

        found = label;
        return true;
    }

    private static bool ContainsWord(string text, string word)
    {
        int start = 0;
        while ((start = text.IndexOf(word, start, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            int end = start + word.Length;
            bool boundaryBefore = start == 0 || !char.IsLetterOrDigit(text[start - 1]);
            bool boundaryAfter = end == text.Length || !char.IsLetterOrDigit(text[end]);
            if (boundaryBefore && boundaryAfter)
            {
                return true;
            }

            start++;
        }

        return false;
    }

    // A whole number standing on its own: not part of a word ("2nd", "x2"), a decimal ("2.5") or a negative ("-1").
    [GeneratedRegex(@"(?<![\p{L}\d.\-])\d+(?![\p{L}\d]|\.\d)", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
