namespace NerClassify.Inference;

/// <summary>A model's raw answer for one sentence, at word level.</summary>
/// <param name="WordLabels">Per word, the decoded token label id; null for a sequence-only model.</param>
/// <param name="WordConfidences">Per word, the probability of its label at the word's first subword.</param>
/// <param name="SequenceProbabilities">Per sentence class, its probability; null for a token-only model.</param>
internal sealed record SentencePrediction(int[]? WordLabels, float[]? WordConfidences, float[]? SequenceProbabilities);
