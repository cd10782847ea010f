using System.Buffers;
using System.Globalization;
using System.Text;

namespace NerClassify.Tokenization;

/// <summary>
/// Splits raw text into words the way BERT's basic tokenizer does, keeping each word's offsets in the original string:
/// split on whitespace, every punctuation character and every CJK ideograph is its own word, and control characters are dropped.
/// </summary>
/// <remarks>
/// Whitespace is every Unicode <c>White_Space</c> character, vertical tab, form feed, U+0085, U+2028 and U+2029
/// included. A lone UTF-16 surrogate stays part of its word (the tokenizer reads it as [UNK]); no string makes
/// splitting throw. Splitting is linear in the length of the text.
/// </remarks>
public static class TextWordSplitter
{
    /// <summary>Splits text into words with their spans.</summary>
    /// <param name="text">The text; returned unchanged on the result.</param>
    /// <returns>The words and their spans, in order.</returns>
    public static TextWords Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var spans = new List<WordSpan>();
        int wordStart = -1;
        bool wordHasContent = false;
        int index = 0;
        while (index < text.Length)
        {
            bool lone = Rune.DecodeFromUtf16(text.AsSpan(index), out Rune rune, out int consumed) != OperationStatus.Done;
            if (lone)
            {
                // A lone surrogate is an ordinary character of the current word, which the tokenizer reads as [UNK].
                if (wordStart < 0)
                {
                    wordStart = index;
                }

                wordHasContent = true;
            }
            else if (IsWhitespace(rune))
            {
                Flush(index);
            }
            else if (IsPunctuation(rune) || IsCjk(rune))
            {
                Flush(index);
                words.Add(text.Substring(index, consumed));
                spans.Add(new WordSpan(index, consumed));
            }
            else
            {
                if (wordStart < 0)
                {
                    wordStart = index;
                }

                wordHasContent |= !IsRemoved(rune);
            }

            index += consumed;
        }

        Flush(text.Length);
        return new TextWords(text, words, spans);

        void Flush(int end)
        {
            // A run of only control characters is dropped, as BERT's text cleaning removes them.
            if (wordStart >= 0 && wordHasContent)
            {
                words.Add(text[wordStart..end]);
                spans.Add(new WordSpan(wordStart, end - wordStart));
            }

            wordStart = -1;
            wordHasContent = false;
        }
    }

    /// <summary>
    /// Unicode's <c>White_Space</c> characters: Hugging Face's BERT whitespace (space, tab, line feed, carriage return
    /// and every space separator) plus vertical tab, form feed, U+0085, U+2028 and U+2029, which Python's
    /// <c>str.split</c> and the Rust tokenizers' pre-tokenizer also split on. Word exports write <c>\v</c> for line breaks.
    /// </summary>
    internal static bool IsWhitespace(Rune rune) => Rune.IsWhiteSpace(rune);

    /// <summary>Characters BERT's cleaning removes: NUL, U+FFFD and control/format characters.</summary>
    private static bool IsRemoved(Rune rune) =>
        rune.Value is 0 or 0xFFFD || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format;

    private static bool IsPunctuation(Rune rune)
    {
        int cp = rune.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    private static bool IsCjk(Rune rune) => rune.Value is
        >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
        or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
