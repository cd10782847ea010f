using NerClassify.Tokenization;

namespace NerClassify.Data;

/// <summary>Pads sequences to the longest in their batch and lays them out as flat arrays.</summary>
internal static class BatchCollator
{
    /// <summary>Builds one batch.</summary>
    /// <param name="items">The sequences, at least one.</param>
    /// <param name="padId">The [PAD] id of the vocabulary.</param>
    /// <returns>The batch.</returns>
    public static Batch Collate(IReadOnlyList<EncodedSentence> items, long padId)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfZero(items.Count);
        int rows = items.Count;
        int length = 0;
        bool anyLabels = false;
        bool anySentenceLabels = false;
        bool anyCasing = false;
        bool anyCharacters = false;
        foreach (var item in items)
        {
            length = Math.Max(length, item.Length);
            anyLabels |= item.Labels is not null;
            anySentenceLabels |= item.SentenceLabel is not null;
            anyCasing |= item.CasingIds is not null;
            anyCharacters |= item.CharacterIds is not null;
        }

        var inputIds = new long[rows * length];
        var attention = new long[rows * length];
        var tokenTypes = new long[rows * length];
        long[]? labels = anyLabels ? new long[rows * length] : null;
        long[]? sentenceLabels = anySentenceLabels ? new long[rows] : null;
        long[]? casing = anyCasing ? new long[rows * length] : null;
        long[]? characters = anyCharacters ? new long[rows * length * WordCharacters.Width] : null;
        var wordIndex = new int[rows][];
        Array.Fill(inputIds, padId);
        labels?.AsSpan().Fill(EncodedSentence.IgnoreIndex);
        int padding = 0;
        for (int r = 0; r < rows; r++)
        {
            var item = items[r];
            int offset = r * length;
            item.InputIds.CopyTo(inputIds, offset);
            item.AttentionMask.CopyTo(attention, offset);
            item.TokenTypeIds.CopyTo(tokenTypes, offset);
            item.Labels?.CopyTo(labels!, offset);
            item.CasingIds?.CopyTo(casing!, offset);
            item.CharacterIds?.CopyTo(characters!, offset * WordCharacters.Width);
            sentenceLabels?[r] = item.SentenceLabel ?? EncodedSentence.IgnoreIndex;
            wordIndex[r] = item.WordIndex;
            padding += length - item.Length;
        }

        return new Batch
        {
            BatchSize = rows,
            SequenceLength = length,
            InputIds = inputIds,
            AttentionMask = attention,
            TokenTypeIds = tokenTypes,
            Labels = labels,
            SentenceLabels = sentenceLabels,
            CasingIds = casing,
            CharacterIds = characters,
            WordIndex = wordIndex,
            Items = items,
            PaddingTokenCount = padding,
        };
    }
}
