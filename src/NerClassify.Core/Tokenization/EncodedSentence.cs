namespace NerClassify.Tokenization;

/// <summary>
/// One model input sequence (a whole sentence or one window of it): <c>[CLS] subwords [SEP]</c> with its masks,
/// the word of each subword and, for training, the labels.
/// </summary>
/// <param name="InputIds">Token ids, [CLS] first and [SEP] last.</param>
/// <param name="AttentionMask">1 for every position (padding is added at batching).</param>
/// <param name="TokenTypeIds">0 for every position (single-segment input).</param>
/// <param name="WordIndex">For each position the index of its word in the sentence, or -1 for [CLS] and [SEP].</param>
internal sealed record EncodedSentence(long[] InputIds, long[] AttentionMask, long[] TokenTypeIds, int[] WordIndex)
{
    /// <summary>The label of positions that take no part in the loss: special tokens, padding and non-first subwords.</summary>
    public const int IgnoreIndex = -100;

    /// <summary>Token labels per position: the word's label id on its first subword, <see cref="IgnoreIndex"/> elsewhere; null without labels.</summary>
    public long[]? Labels { get; init; }

    /// <summary>The sentence label id for sentence classification, or null.</summary>
    public long? SentenceLabel { get; init; }

    /// <summary>Per position, the <see cref="WordCasing"/> of its word (0 for special tokens), or null when not computed.</summary>
    public long[]? CasingIds { get; init; }

    /// <summary>Row-major [<see cref="Length"/>, <see cref="WordCharacters.Width"/>] character ids of each position's word (0 for special tokens), or null when not computed.</summary>
    public long[]? CharacterIds { get; init; }

    /// <summary>A caller-chosen id of the sentence (such as <see cref="Data.ConllSentence.Index"/>), shared by all its windows.</summary>
    public int SentenceIndex { get; init; }

    /// <summary>The number of words of the whole sentence.</summary>
    public int SentenceWordCount { get; init; }

    /// <summary>The 0-based index of this window among the sentence's windows.</summary>
    public int WindowIndex { get; init; }

    /// <summary>The number of windows the sentence was split into (1 when it fits).</summary>
    public int WindowCount { get; init; } = 1;

    /// <summary>The index of the first word in this sequence.</summary>
    public int FirstWord { get; init; }

    /// <summary>The number of words in this sequence.</summary>
    public int WordCount { get; init; }

    /// <summary>The number of words left out because the sentence was truncated (0 unless <see cref="OverflowHandling.Truncate"/> cut it).</summary>
    public int TruncatedWordCount { get; init; }

    /// <summary>The sequence length, specials included.</summary>
    public int Length => InputIds.Length;
}
