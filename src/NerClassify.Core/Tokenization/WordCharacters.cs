using NerClassify.Configuration;

namespace NerClassify.Tokenization;

/// <summary>
/// Character ids of words for the character features (<see cref="TokenHeadOptions.CharacterFeatures"/>):
/// each word, as written (cased), becomes <see cref="Width"/> ids, one per UTF-16 char, padded with 0 or cut to its
/// first <see cref="Width"/> chars. A char maps to <c>1 + (code % 255)</c>, a fixed table of <see cref="Count"/> ids
/// that needs no vocabulary file (chars 255 apart share an id; Latin letters, digits and punctuation never do).
/// </summary>
internal static class WordCharacters
{
    /// <summary>Ids per word: longer words keep their first chars, shorter ones are padded with 0.</summary>
    public const int Width = 16;

    /// <summary>Number of ids (the character embedding's rows): 0 for padding and 1..255 for chars.</summary>
    public const int Count = 256;

    /// <summary>The id of one char, in 1..255.</summary>
    public static long Id(char c) => 1 + (c % 255);

    /// <summary>
    /// Character ids for every subword position of an encoded window, row-major [positions, <see cref="Width"/>]:
    /// the ids of the word it belongs to (every subword of a word gets the same row), all 0 for special tokens.
    /// </summary>
    /// <param name="words">The sentence's words.</param>
    /// <param name="wordIndex">Per subword, the index of its word in <paramref name="words"/>, or -1.</param>
    public static long[] ForSubwords(IReadOnlyList<string> words, IReadOnlyList<int> wordIndex)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(wordIndex);
        long[] ids = new long[wordIndex.Count * Width];
        for (int i = 0; i < wordIndex.Count; i++)
        {
            if (wordIndex[i] < 0)
            {
                continue;
            }

            string word = words[wordIndex[i]];
            int length = Math.Min(word.Length, Width);
            for (int c = 0; c < length; c++)
            {
                ids[(i * Width) + c] = Id(word[c]);
            }
        }

        return ids;
    }
}
