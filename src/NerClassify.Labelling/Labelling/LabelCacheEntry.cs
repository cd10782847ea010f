namespace NerClassify.Labelling;

/// <summary>One remembered answer in a <see cref="SentenceLabelCache"/>.</summary>
/// <param name="Key">The request's key (SHA-256 hex over the model id, the prompt and the sentence).</param>
/// <param name="Label">The class the answer gave, or <see langword="null"/> when no attempt gave a valid class.</param>
/// <param name="Answer">The model's answer text.</param>
/// <param name="Model">The model id, for people reading the file.</param>
/// <param name="Sentence">The sentence, for people reading the file.</param>
internal sealed record LabelCacheEntry(string Key, int? Label, string Answer, string Model, string Sentence);
