namespace NerClassify.Tokenization;

/// <summary>What to do with a sentence whose subwords do not fit in the model's maximum length.</summary>
internal enum OverflowHandling
{
    /// <summary>Split it into overlapping windows; every word appears in at least one window (the default).</summary>
    Window,

    /// <summary>Keep only the words that fit in one sequence and log how many were dropped (also in <see cref="EncodedSentence.TruncatedWordCount"/>).</summary>
    Truncate,
}
