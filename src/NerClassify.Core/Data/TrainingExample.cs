
namespace NerClassify.Data;

/// <summary>One training or evaluation sentence: pre-split words with a tag per word, a sentence label, or both.</summary>
/// <param name="Words">The words (for CoNLL data, the first column).</param>
/// <param name="Tags">One tag per word (for example <c>B-PER</c>), or null when the sentence has no token labels.</param>
/// <param name="SentenceLabel">The sentence's class, or null when it has none.</param>
public sealed record TrainingExample(IReadOnlyList<string> Words, IReadOnlyList<string>? Tags = null, string? SentenceLabel = null);
