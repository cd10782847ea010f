namespace NerClassify.Tokenization;

/// <summary>Classifies words by <see cref="WordCasing"/>.</summary>
internal static class WordCasings
{
    /// <summary>Number of <see cref="WordCasing"/> values (the casing embedding's rows).</summary>
    public const int Count = 7;

    /// <summary>The casing class of <paramref name="word"/>.</summary>
    public static WordCasing Of(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        int letters = 0, upper = 0, digits = 0;
        foreach (char c in word)
        {
            if (char.IsLetter(c))
            {
                letters++;
                if (char.IsUpper(c))
                {
                    upper++;
                }
            }
            else if (char.IsDigit(c))
            {
                digits++;
            }
        }

        if (letters == 0)
        {
            return digits > 0 ? WordCasing.Numeric : WordCasing.Other;
        }

        if (upper == 0)
        {
            return WordCasing.Lower;
        }

        if (upper == letters)
        {
            return letters > 1 ? WordCasing.Upper : WordCasing.Mixed;
        }

        char first = word.First(char.IsLetter);
        return upper == 1 && char.IsUpper(first) ? WordCasing.Title : WordCasing.Mixed;
    }

    /// <summary>
    /// Casing ids for every subword position of an encoded window: the class of the word it belongs to,
    /// <see cref="WordCasing.None"/> for special tokens.
    /// </summary>
    /// <param name="words">The sentence's words.</param>
    /// <param name="wordIndex">Per subword, the index of its word in <paramref name="words"/>, or -1.</param>
    public static long[] ForSubwords(IReadOnlyList<string> words, IReadOnlyList<int> wordIndex)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(wordIndex);
        long[] ids = new long[wordIndex.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = wordIndex[i] < 0 ? (long)WordCasing.None : (long)Of(words[wordIndex[i]]);
        }

        return ids;
    }
}
