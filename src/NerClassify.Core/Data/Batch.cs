using NerClassify.Tokenization;

namespace NerClassify.Data;

/// <summary>
/// A padded batch of sequences as flat row-major arrays of shape [<see cref="BatchSize"/>, <see cref="SequenceLength"/>],
/// ready to become tensors on the compute thread.
/// </summary>
internal sealed record Batch
{
    /// <summary>The number of rows.</summary>
    public required int BatchSize { get; init; }

    /// <summary>The padded length: the longest sequence in the batch.</summary>
    public required int SequenceLength { get; init; }

    /// <summary>Token ids [B, T]; padding uses the vocabulary's [PAD] id.</summary>
    public required long[] InputIds { get; init; }

    /// <summary>Attention mask [B, T]: 1 for real tokens, 0 for padding.</summary>
    public required long[] AttentionMask { get; init; }

    /// <summary>Token type ids [B, T]: all 0.</summary>
    public required long[] TokenTypeIds { get; init; }

    /// <summary>Token labels [B, T] with -100 at special tokens, non-first subwords and padding; null when no row has labels.</summary>
    public long[]? Labels { get; init; }

    /// <summary>Sentence labels [B], -100 for a row without one; null when no row has one.</summary>
    public long[]? SentenceLabels { get; init; }

    /// <summary>Row-major [BatchSize, SequenceLength] word casing ids (0 at padding), or null when the items carry none.</summary>
    public long[]? CasingIds { get; init; }

    /// <summary>Row-major [BatchSize, SequenceLength, <see cref="WordCharacters.Width"/>] character ids (0 at padding), or null when the items carry none.</summary>
    public long[]? CharacterIds { get; init; }

    /// <summary>For each row, the word index of each real position (-1 for specials), unpadded.</summary>
    public required IReadOnlyList<int[]> WordIndex { get; init; }

    /// <summary>The sequences in row order.</summary>
    public required IReadOnlyList<EncodedSentence> Items { get; init; }

    /// <summary>The number of padding positions.</summary>
    public required int PaddingTokenCount { get; init; }

    /// <summary>The share of padding positions in the batch, in [0, 1).</summary>
    public double PaddingShare => BatchSize * SequenceLength == 0 ? 0 : (double)PaddingTokenCount / (BatchSize * SequenceLength);
}
