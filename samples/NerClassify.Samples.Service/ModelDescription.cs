namespace NerClassify.Samples.Service;

/// <summary>
/// The answer of <c>GET /v1/model</c>: what the loaded model predicts and the request limits, so a client (the page at
/// <c>/</c>) can draw its legend and class bars before the first prediction.
/// </summary>
/// <param name="Task">The model's task: <c>Token</c>, <c>Sequence</c> or <c>Multitask</c>.</param>
/// <param name="EntityTypes">The entity types of the token labels (<c>PER</c> for <c>B-PER</c>, <c>I-PER</c>), in label order; empty without a token head.</param>
/// <param name="SentenceLabels">The sentence classes, in label order; empty without a sentence head.</param>
/// <param name="MaxTexts">The most texts in one request.</param>
/// <param name="MaxTextChars">The longest text in characters.</param>
public sealed record ModelDescription(string Task, IReadOnlyList<string> EntityTypes, IReadOnlyList<string> SentenceLabels, int MaxTexts, int MaxTextChars);
