using NerClassify.Metrics;

namespace NerClassify.Training;

/// <summary>Validation scores of a model.</summary>
/// <param name="Entities">Entity-level scores and token accuracy, or null for a sentence-only model.</param>
/// <param name="Sentences">Sentence classification scores, or null for a token-only model.</param>
public sealed record EvaluationResult(EntityReport? Entities, ClassificationReport? Sentences)
{
    /// <summary>The score <paramref name="metric"/> names (higher is better).</summary>
    public double Score(SelectionMetric metric) => metric switch
    {
        SelectionMetric.EntityF1 => Entities?.F1 ?? 0,
        SelectionMetric.TokenAccuracy => Entities?.TokenAccuracy ?? 0,
        SelectionMetric.SequenceAccuracy => Sentences?.Accuracy ?? 0,
        SelectionMetric.SequenceWeightedF1 => Sentences?.WeightedF1 ?? 0,
        _ => (Entities, Sentences) switch
        {
            ({ } e, { } s) => (e.F1 + s.WeightedF1) / 2,
            ({ } e, null) => e.F1,
            (null, { } s) => s.WeightedF1,
            _ => 0,
        },
    };
}
