using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace NerClassify.Tokenization;

/// <summary>
/// Splits raw text into words the way CoNLL-2003 (Penn Treebank style) tokenises news text, keeping each word's offsets
/// in the original string, so that a model trained on CoNLL words sees the same words at prediction time.
/// </summary>
/// <remarks>
/// <para>Rules, in order:</para>
/// <list type="bullet">
/// <item>Whitespace (every Unicode space, line and paragraph separator, tab, vertical tab, form feed, U+0085) separates words.</item>
/// <item>Brackets, double quotes, backquotes, <c>?</c>, <c>!</c>, runs of two or more dots (<c>...</c>),
/// every non-ASCII punctuation mark (curly quotes, dashes, ellipsis, CJK punctuation) and every CJK ideograph are words of their own,
/// also inside a word: <c>7-6(7-5)</c> gives <c>7-6 ( 7-5 )</c>.</item>
/// <item>A comma is its own word unless it stands between two digits (<c>1,000</c>).
/// A currency sign before a digit ends its word (<c>$5</c> gives <c>$ 5</c>, <c>US$5</c> gives <c>US$ 5</c>).</item>
/// <item>Hyphens, slashes, colons, single dots and apostrophes inside a word keep it whole (<c>pro-Western</c>, <c>1996-08-30</c>,
/// <c>2-0</c>, <c>1/2</c>, <c>1:54.342</c>, <c>3.5</c>, <c>U.S.-led</c>, <c>O'Neil</c>, <c>rebels--poll</c>); so do other ASCII symbols.</item>
/// <item>At a word's end, <c>; : %</c> and an apostrophe (<c>farmers'</c>) come off, as do the clitics
/// <c>n't 's 're 've 'll 'd 'm</c> (<c>don't</c> gives <c>do n't</c>); at its start, an apostrophe and <c>; :</c> come off.</item>
/// <item>A final period comes off unless the word is an abbreviation: dotted letters (<c>U.S.</c>, <c>a.m.</c>), a capital initial
/// (<c>J.</c>), a common abbreviation (<c>Mr.</c>, <c>Corp.</c>, <c>Jan.</c>, <c>Calif.</c>, <c>vs.</c>), or a number that opens
/// a line (<c>1.</c> in a ranking). At the end of the text (only closing quotes after it) the period always
/// comes off, even after an abbreviation, as CoNLL-2003 writes a sentence-final <c>U.S.</c> as <c>U.S .</c>.</item>
/// <item>Control and format characters stay inside a word; a word made only of them (or of U+FFFD) is dropped,
/// as BERT's text cleaning removes them.</item>
/// </list>
/// <para>Every word is the substring of the text at its span. The time taken is linear in the length of the text.</para>
/// </remarks>
internal static class TextWordSplitter
{
    /// <summary>Common English (news style) abbreviations written with a final period, without it. Matched case-sensitively.</summary>
    private static readonly FrozenSet<string> Abbreviations = FrozenSet.ToFrozenSet(
    [
        // Titles and ranks.
        "Mr", "Mrs", "Ms", "Messrs", "Mme", "Mlle", "Dr", "Prof", "Rev", "Fr", "St", "Sr", "Jr", "Hon", "Gov", "Sen", "Rep", "Pres",
        "Gen", "Lt", "Col", "Maj", "Capt", "Cmdr", "Cdr", "Adm", "Sgt", "Cpl", "Pvt", "Brig", "Supt", "Insp", "Det", "Amb", "Atty",
        // Company forms.
        "Inc", "Corp", "Co", "Cos", "Ltd", "Bros",
        // Months and weekdays.
        "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
        "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun",
        // US states in news style.
        "Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga", "Ill", "Ind", "Kan", "Ky", "La", "Md", "Mass", "Mich",
        "Minn", "Miss", "Mo", "Mont", "Neb", "Nev", "Okla", "Ore", "Pa", "Tenn", "Tex", "Va", "Vt", "Wash", "Wis", "Wyo",
        // Places and references.
        "Ave", "Blvd", "Rd", "Mt", "Ft", "No", "Nos", "Vol", "vol", "vs", "v", "etc", "al", "approx", "cf", "Dept", "dept", "Univ", "est",
    ], StringComparer.Ordinal);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> AbbreviationLookup =
        Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");

    /// <summary>The longest stem <see cref="IsAbbreviation"/> examines whole.</summary>
    private const int MaxAbbreviationLength = 32;

    private static readonly string[] Clitics = ["s", "re", "ve", "ll", "d", "m"];

    /// <summary>Splits text into words with their spans.</summary>
    /// <param name="text">The text; returned unchanged on the result.</param>
    /// <returns>The words and their spans, in order.</returns>
    public static TextWords Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new Output(text);
        int tailStart = SentenceTailStart(text);
        int pieceStart = -1;
        bool pieceOpensLine = false;
        bool atLineStart = true;
        int index = 0;
        while (index < text.Length)
        {
            Rune rune = RuneAt(text, index, out int consumed);
            if (IsWhitespace(rune))
            {
                FlushPiece(index);
                atLineStart |= IsLineBreak(rune);
                index += consumed;
                continue;
            }

            int runLength = rune.Value == '.' ? RunLength(text, index) : 1;
            if (runLength >= 2)
            {
                // "...": a word of its own wherever it stands.
                FlushPiece(index);
                output.Add(index, runLength);
                index += runLength;
            }
            else if (IsBreak(rune) || (rune.Value == ',' && !(pieceStart >= 0 && IsDigitAt(text, index - 1) && IsDigitAt(text, index + 1))))
            {
                FlushPiece(index);
                output.Add(index, consumed);
                index += consumed;
            }
            else
            {
                if (pieceStart < 0)
                {
                    pieceStart = index;
                    pieceOpensLine = atLineStart;
                }

                index += consumed;
                if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.CurrencySymbol && IsDigitAt(text, index))
                {
                    FlushPiece(index);
                }
            }

            atLineStart = false;
        }

        FlushPiece(text.Length);
        return new TextWords(text, output.Words, output.Spans);

        void FlushPiece(int end)
        {
            if (pieceStart >= 0)
            {
                SplitPiece(output, pieceStart, end, pieceOpensLine, tailStart);
            }

            pieceStart = -1;
        }
    }

    /// <summary>Splits a run of word characters (no whitespace, no break characters) into words, peeling punctuation off both ends.</summary>
    private static void SplitPiece(Output output, int start, int end, bool opensLine, int tailStart)
    {
        string text = output.Text;
        while (end - start > 1 && (IsApostrophe(text[start]) || text[start] is ':' or ';') && CliticLength(text, start, end) != end - start)
        {
            output.Add(start, 1);
            start++;
        }

        // Peeled from the right, so pushed in reverse and added after the stem.
        int peeledFrom = output.Pending.Count;
        while (end - start > 1)
        {
            char last = text[end - 1];
            int clitic = CliticLength(text, start, end);
            int cut = last is ';' or ':' or '%' || IsApostrophe(last) ? 1
                : clitic > 0 && clitic < end - start ? clitic
                : last == '.' && (end >= tailStart || !IsAbbreviation(text.AsSpan(start, end - 1 - start), opensLine)) ? 1
                : 0;
            if (cut == 0)
            {
                break;
            }

            output.Pending.Add(new WordSpan(end - cut, cut));
            end -= cut;
        }

        output.Add(start, end - start);
        for (int i = output.Pending.Count - 1; i >= peeledFrom; i--)
        {
            output.Add(output.Pending[i].Start, output.Pending[i].Length);
        }

        output.Pending.RemoveRange(peeledFrom, output.Pending.Count - peeledFrom);
    }

    /// <summary>The length of the clitic the piece ends with (<c>n't</c>, <c>'s</c>, <c>'re</c>, ...), or 0.</summary>
    private static int CliticLength(string text, int start, int end)
    {
        int length = end - start;
        if (length >= 4 && IsApostrophe(text[end - 2]) && (text[end - 1] | 0x20) == 't' && (text[end - 3] | 0x20) == 'n' && char.IsLetter(text[end - 4]))
        {
            return 3;
        }

        foreach (string clitic in Clitics)
        {
            int cliticLength = clitic.Length + 1;
            if (length >= cliticLength && IsApostrophe(text[end - cliticLength])
                && text.AsSpan(end - clitic.Length, clitic.Length).Equals(clitic, StringComparison.OrdinalIgnoreCase)
                && (length == cliticLength || char.IsLetterOrDigit(text[end - cliticLength - 1]) || text[end - cliticLength - 1] == '.'))
            {
                return cliticLength;
            }
        }

        return 0;
    }

    /// <summary>Whether a word (without its final period) is an abbreviation that keeps the period.</summary>
    private static bool IsAbbreviation(ReadOnlySpan<char> stem, bool opensLine)
    {
        if (stem.Length > MaxAbbreviationLength)
        {
            // Only a long compound's last part can be an abbreviation; looking no further back keeps a word's peeling linear.
            ReadOnlySpan<char> end = stem[^MaxAbbreviationLength..];
            int lastHyphen = end.LastIndexOf('-');
            return lastHyphen >= 0 && lastHyphen < end.Length - 1 && IsAbbreviation(end[(lastHyphen + 1)..], opensLine: false);
        }

        if (opensLine && !stem.ContainsAnyExcept(Digits))
        {
            // An enumeration: "1. Michael Schumacher (Germany) 1:54.342".
            return true;
        }

        if (stem.Length == 1)
        {
            return char.IsUpper(stem[0]);
        }

        if (AbbreviationLookup.Contains(stem) || (IsAllCapitals(stem) && AbbreviationLookup.Contains(TitleCase(stem, stackalloc char[stem.Length]))))
        {
            // All-capital headlines write "ST. LOUIS" and "ACME CORP.".
            return true;
        }

        // A compound ending in an abbreviation: "Iraq-U.N.", "ex-Gov.".
        int hyphen = stem.LastIndexOf('-');
        if (hyphen >= 0)
        {
            return hyphen < stem.Length - 1 && IsAbbreviation(stem[(hyphen + 1)..], opensLine: false);
        }

        // Dotted letters: "U.S", "a.m", "F.C".
        if (stem.Length % 2 == 0)
        {
            return false;
        }

        for (int i = 0; i < stem.Length; i++)
        {
            if (i % 2 == 0 ? !char.IsLetter(stem[i]) : stem[i] != '.')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The index from which the text holds only whitespace, closing quotes and removed characters: a period just before it ends the text.</summary>
    private static int SentenceTailStart(string text)
    {
        int index = text.Length;
        while (index > 0)
        {
            char c = text[index - 1];
            bool closing = char.IsWhiteSpace(c) || c is '"' or '\'' or '\u2019' or '\u201D' or '\u00BB'
                || char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format;
            if (!closing)
            {
                break;
            }

            index--;
        }

        return index;
    }

    private static bool IsAllCapitals(ReadOnlySpan<char> word)
    {
        foreach (char c in word)
        {
            if (!char.IsUpper(c))
            {
                return false;
            }
        }

        return true;
    }

    private static ReadOnlySpan<char> TitleCase(ReadOnlySpan<char> word, Span<char> buffer)
    {
        buffer[0] = word[0];
        word[1..].ToLowerInvariant(buffer[1..]);
        return buffer;
    }

    private static readonly Rune LoneSurrogate = new(0xE000);

    private static Rune RuneAt(string text, int index, out int consumed)
    {
        if (Rune.DecodeFromUtf16(text.AsSpan(index), out Rune rune, out consumed) != OperationStatus.Done)
        {
            // A lone surrogate is an ordinary character of the current word (the tokenizer reads it as [UNK]):
            // stand in a private-use character, which is neither whitespace, punctuation nor removed.
            return LoneSurrogate;
        }

        return rune;
    }

    private static int RunLength(string text, int index)
    {
        int end = index + 1;
        while (end < text.Length && text[end] == text[index])
        {
            end++;
        }

        return end - index;
    }

    private static bool IsDigitAt(string text, int index) => index >= 0 && index < text.Length && char.IsDigit(text[index]);

    private static bool IsApostrophe(char c) => c is '\'' or '\u2019';

    internal static bool IsWhitespace(Rune rune) => Rune.IsWhiteSpace(rune);

    private static bool IsLineBreak(Rune rune) => rune.Value is '\n' or '\r' or '\v' or '\f' or '\u0085' or '\u2028' or '\u2029';

    /// <summary>Characters that are always a word of their own.</summary>
    private static bool IsBreak(Rune rune)
    {
        int cp = rune.Value;
        if (cp < 128)
        {
            return cp is '(' or ')' or '[' or ']' or '{' or '}' or '"' or '?' or '!' or '`';
        }

        // U+2019 is the typographic apostrophe ("don’t"); U+2010 and U+2011 are hyphens.
        if (cp is 0x2019 or 0x2010 or 0x2011)
        {
            return false;
        }

        return IsCjk(cp) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>Characters BERT's cleaning removes: NUL, U+FFFD and control/format characters.</summary>
    private static bool IsRemoved(Rune rune) =>
        rune.Value is 0 or 0xFFFD || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format;

    private static bool IsCjk(int cp) => cp is
        >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
        or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;

    /// <summary>The words found so far, and scratch space for the right-hand peeling of a piece.</summary>
    private sealed class Output(string text)
    {
        public string Text { get; } = text;

        public List<string> Words { get; } = [];

        public List<WordSpan> Spans { get; } = [];

        public List<WordSpan> Pending { get; } = [];

        public void Add(int start, int length)
        {
            if (length > 0 && HasContent(Text.AsSpan(start, length)))
            {
                Words.Add(Text.Substring(start, length));
                Spans.Add(new WordSpan(start, length));
            }
        }

        private static bool HasContent(ReadOnlySpan<char> word)
        {
            int index = 0;
            while (index < word.Length)
            {
                if (Rune.DecodeFromUtf16(word[index..], out Rune rune, out int consumed) != OperationStatus.Done)
                {
                    rune = LoneSurrogate;
                }

                if (!IsRemoved(rune))
                {
                    return true;
                }

                index += consumed;
            }

            return false;
        }
    }
}
