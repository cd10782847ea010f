namespace NerClassify.Labelling;

/// <summary>
/// A hand-labelled sentence shown to the model before the sentence to label: the filled instruction for
/// <see cref="Text"/> as a user turn, then <see cref="Label"/> as the assistant's reply.
/// </summary>
/// <param name="Text">The example sentence.</param>
/// <param name="Label">Its class number, an index into <see cref="SentenceLabellerOptions.Categories"/>.</param>
public sealed record FewShotExample(string Text, int Label);
