namespace NerClassify.Inference;

/// <summary>The predicted class of a sentence.</summary>
/// <param name="Label">The most probable class.</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Probabilities">Every class's probability, in the model's class order.</param>
public sealed record SentenceClassification(string Label, float Probability, IReadOnlyDictionary<string, float> Probabilities);
