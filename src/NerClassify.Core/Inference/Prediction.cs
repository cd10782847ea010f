using NerClassify.Inference;

namespace NerClassify.Inference;

/// <summary>What an <see cref="INerPredictor"/> says about one input.</summary>
/// <param name="Text">The input text (words joined by spaces when words were passed).</param>
/// <param name="Words">The words the text was split into.</param>
/// <param name="Tags">One tag per word, or an empty list for a sentence-only model.</param>
/// <param name="Entities">The entities, in order; empty for a sentence-only model.</param>
/// <param name="Sentence">The sentence class, or null for a token-only model.</param>
public sealed record Prediction(
    string Text,
    IReadOnlyList<string> Words,
    IReadOnlyList<string> Tags,
    IReadOnlyList<EntitySpan> Entities,
    SentenceClassification? Sentence);
