using NerClassify.Data;

namespace NerClassify.Inference;

/// <summary>
/// Runs a task model on one padded batch. Tokenization, windows, merging and decoding are shared
/// (<see cref="ModelRunner"/>); only this step differs between runtimes. Implementations are thread-safe.
/// </summary>
internal interface IInferenceBackend : IDisposable
{
    /// <summary>Token label names in id order, or null without a token head.</summary>
    IReadOnlyList<string>? TokenLabels { get; }

    /// <summary>Sentence class names in id order, or null without a sequence head.</summary>
    IReadOnlyList<string>? SequenceLabels { get; }

    /// <summary>Whether the token head reads word casing ids.</summary>
    bool UsesCasing { get; }

    /// <summary>Whether the model reads word character ids (<see cref="Tokenization.WordCharacters"/>). Default false.</summary>
    bool UsesCharacters => false;

    /// <summary>The longest input, in subwords, the model accepts.</summary>
    int MaxPositions { get; }

    /// <summary>
    /// The token head's CRF, read at each prediction call: when set, words are decoded with its Viterbi over the token
    /// log-probabilities (and, with constrained decoding, the tag scheme's forbidden transitions) instead of argmax or BIO-constrained decoding. Null (the default) without a CRF.
    /// </summary>
    CrfDecoder? Crf => null;

    /// <summary>Token log-probabilities and sentence probabilities for <paramref name="batch"/>.</summary>
    BatchScores Run(Batch batch);
}
