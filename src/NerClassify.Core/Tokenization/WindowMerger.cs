namespace NerClassify.Tokenization;

/// <summary>Merges per-window predictions so that every word gets exactly one.</summary>
/// <remarks>
/// A word that appears in several windows is read from the window where it has the most context: the one where
/// the smaller of its distances (in subwords) to the window's two edges is largest. A window edge that is also the
/// sentence's start or end is no edge, since nothing was cut there. Ties go to the earlier window.
/// </remarks>
internal static class WindowMerger
{
    /// <summary>For each word of a sentence, the window and position to read its prediction from.</summary>
    /// <param name="windows">All windows of one sentence, as returned by <see cref="SubwordTokenizer.Encode"/>.</param>
    /// <param name="wordCount">The number of words in the sentence.</param>
    /// <returns>One position per word.</returns>
    /// <exception cref="ArgumentException">Some word is in no window.</exception>
    public static WordPosition[] SelectPositions(IReadOnlyList<EncodedSentence> windows, int wordCount)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentOutOfRangeException.ThrowIfNegative(wordCount);
        var best = new WordPosition[wordCount];
        var bestScore = new int[wordCount];
        Array.Fill(bestScore, -1);
        for (int k = 0; k < windows.Count; k++)
        {
            int[] wordIndex = windows[k].WordIndex;
            int lastContent = wordIndex.Length - 2;
            if (lastContent < 1)
            {
                continue;
            }

            bool startsSentence = wordIndex[1] == 0;
            bool endsSentence = wordIndex[lastContent] == wordCount - 1;
            int position = 1;
            while (position <= lastContent)
            {
                int word = wordIndex[position];
                int first = position;
                while (position + 1 <= lastContent && wordIndex[position + 1] == word)
                {
                    position++;
                }

                int left = startsSentence ? int.MaxValue : first - 1;
                int right = endsSentence ? int.MaxValue : lastContent - position;
                int score = Math.Min(left, right);
                if ((uint)word >= (uint)wordCount)
                {
                    throw new ArgumentException($"Window {k} refers to word {word}, outside the sentence's {wordCount} words.", nameof(windows));
                }

                if (score > bestScore[word])
                {
                    bestScore[word] = score;
                    best[word] = new WordPosition(k, first);
                }

                position++;
            }
        }

        int missing = Array.IndexOf(bestScore, -1);
        if (missing >= 0)
        {
            throw new ArgumentException($"Word {missing} is in none of the {windows.Count} windows.", nameof(windows));
        }

        return best;
    }

    /// <summary>Picks one value per word from per-position values of each window (such as predicted label ids).</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="windows">All windows of one sentence.</param>
    /// <param name="values">For each window, one value per position.</param>
    /// <param name="wordCount">The number of words in the sentence.</param>
    /// <returns>One value per word.</returns>
    public static T[] MergeWordValues<T>(IReadOnlyList<EncodedSentence> windows, IReadOnlyList<IReadOnlyList<T>> values, int wordCount)
    {
        ArgumentNullException.ThrowIfNull(values);
        var positions = SelectPositions(windows, wordCount);
        if (values.Count != windows.Count)
        {
            throw new ArgumentException($"{windows.Count} windows need {windows.Count} value lists, not {values.Count}.", nameof(values));
        }

        var result = new T[wordCount];
        for (int w = 0; w < wordCount; w++)
        {
            result[w] = values[positions[w].Window][positions[w].Position];
        }

        return result;
    }
}
