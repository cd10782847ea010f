using NerClassify.Inference;

namespace NerClassify.Samples.Service;

/// <summary>One sentence class and its probability.</summary>
public sealed record ClassScore(string Label, float Score)
{
    /// <summary>Every class of a sentence classification, highest probability first.</summary>
    public static IReadOnlyList<ClassScore> From(SentenceClassification sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        return sentence.Probabilities
            .OrderByDescending(p => p.Value)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new ClassScore(p.Key, p.Value))
            .ToArray();
    }
}
