namespace NerClassify.Data;

/// <summary>A CoNLL sentence joined with its sentence label.</summary>
/// <param name="Sentence">The CoNLL sentence.</param>
/// <param name="Label">The sentence's class name.</param>
/// <param name="Row">The row the label came from.</param>
public sealed record LabeledSentence(ConllSentence Sentence, string Label, SentenceLabelRow Row);
