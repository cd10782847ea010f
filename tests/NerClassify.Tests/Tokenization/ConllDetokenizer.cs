using System.Text;

namespace NerClassify.Tests.Tokenization;

/// <summary>
/// Joins CoNLL-2003 words back into text as a news article prints it: words are separated by a space, but closing punctuation,
/// clitics and possessive apostrophes lean on the word before them, and opening brackets, quotes and currency signs on the word after.
/// </summary>
internal static class ConllDetokenizer
{
    private static readonly HashSet<string> Closing = [",", ".", ";", ":", "?", "!", ")", "]", "}", "%", "...", ".."];

    private static readonly HashSet<string> Opening = ["(", "[", "{"];

    private static readonly HashSet<string> Clitics = new(["'s", "'re", "'ve", "'ll", "'d", "'m", "n't"], StringComparer.OrdinalIgnoreCase);

    public static string Join(IReadOnlyList<string> words)
    {
        var text = new StringBuilder();
        bool gluedToNext = true;
        bool doubleQuoteOpen = false;
        bool singleQuoteOpen = false;
        for (int i = 0; i < words.Count; i++)
        {
            string word = words[i];
            bool endsHere = i == words.Count - 1 || Closing.Contains(words[i + 1]);
            bool leansLeft;
            bool leansRight;
            if (word == "\"")
            {
                leansLeft = doubleQuoteOpen || endsHere;
                leansRight = !leansLeft;
                doubleQuoteOpen = leansRight;
            }
            else if (word == "'")
            {
                bool possessive = i > 0 && (words[i - 1].EndsWith('s') || words[i - 1].EndsWith('S'));
                leansLeft = singleQuoteOpen || possessive || endsHere;
                leansRight = !leansLeft;
                singleQuoteOpen = leansRight || (singleQuoteOpen && !leansLeft);
            }
            else
            {
                leansLeft = Closing.Contains(word) || Clitics.Contains(word);
                leansRight = Opening.Contains(word) || (word.EndsWith('$') && i + 1 < words.Count && char.IsAsciiDigit(words[i + 1][0]));
            }

            if (!gluedToNext && !leansLeft)
            {
                text.Append(' ');
            }

            text.Append(word);
            gluedToNext = leansRight;
        }

        return text.ToString();
    }
}
