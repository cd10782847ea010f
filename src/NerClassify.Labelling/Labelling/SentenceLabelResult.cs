namespace NerClassify.Labelling;

/// <summary>The outcome for one sentence of a labelling run.</summary>
/// <param name="SentenceIndex">The sentence index given with the input (its position in the list for plain strings).</param>
/// <param name="Text">The sentence text as given.</param>
/// <param name="Label">The class number, or <see langword="null"/> when no attempt gave exactly one valid class.</param>
/// <param name="LabelName">The class name for <paramref name="Label"/>, or <see langword="null"/> when unlabelled.</param>
/// <param name="RawAnswer">The model's last answer text, or <see langword="null"/> when every attempt failed before an answer came.</param>
/// <param name="Attempts">Requests sent for this sentence; 0 when the answer came from the cache.</param>
/// <param name="FromCache">Whether the answer was read from the cache instead of asking the model.</param>
/// <param name="Error">For an unlabelled sentence whose last attempt failed (exception or timeout), a description of that failure; otherwise <see langword="null"/>.</param>
public sealed record SentenceLabelResult(
    int SentenceIndex,
    string Text,
    int? Label,
    string? LabelName,
    string? RawAnswer,
    int Attempts,
    bool FromCache,
    string? Error = null)
{
    /// <summary>Whether the sentence got a label.</summary>
    public bool IsLabelled => Label is not null;
}
