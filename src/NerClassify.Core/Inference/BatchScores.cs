namespace NerClassify.Inference;

/// <summary>A backend's answer for one padded batch, as flat row-major arrays.</summary>
/// <param name="TokenLogProbabilities">[B, T, token labels] log-probabilities, or null without a token head.</param>
/// <param name="SequenceProbabilities">[B, sentence classes] probabilities, or null without a sequence head.</param>
internal sealed record BatchScores(float[]? TokenLogProbabilities, float[]? SequenceProbabilities);
