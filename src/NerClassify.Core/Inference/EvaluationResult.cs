using NerClassify.Data;
using NerClassify.Inference;
using NerClassify.Metrics;


namespace NerClassify.Inference;

/// <summary>Validation scores of a model.</summary>
/// <param name="Entities">Entity-level scores and token accuracy, or null for a sentence-only model.</param>
/// <param name="Sentences">Sentence classification scores, or null for a token-only model.</param>
public sealed record EvaluationResult(EntityReport? Entities, ClassificationReport? Sentences)
{
    /// <summary>The reports as text: the entity report (seqeval layout), then the sentence report and its confusion matrix.</summary>
    public string ToText()
    {
        var parts = new List<string>(3);
        if (Entities is not null)
        {
            parts.Add(Entities.ToText());
        }

        if (Sentences is not null)
        {
            parts.Add(Sentences.ToText());
            parts.Add(Sentences.ConfusionMatrix.ToText());
        }

        return string.Join(Environment.NewLine, parts);
    }

    /// <summary>Scores word-level predictions against the examples' tags and sentence labels.</summary>
    /// <param name="examples">The labelled sentences.</param>
    /// <param name="predictions">One prediction per example, in order.</param>
    /// <param name="tokenLabels">The model's token labels, or null.</param>
    /// <param name="classes">The model's sentence classes, or null.</param>
    internal static EvaluationResult Compute(
        IReadOnlyList<TrainingExample> examples,
        IReadOnlyList<SentencePrediction> predictions,
        IReadOnlyList<string>? tokenLabels,
        IReadOnlyList<string>? classes)
    {
        EntityReport? entities = null;
        if (tokenLabels is not null)
        {
            int[] tagged = Enumerable.Range(0, examples.Count).Where(i => examples[i].Tags is not null).ToArray();
            if (tagged.Length > 0)
            {
                IReadOnlyList<string>[] gold = tagged.Select(i => examples[i].Tags!).ToArray();
                IReadOnlyList<string>[] predicted = tagged.Select(i => (IReadOnlyList<string>)predictions[i].WordLabels!.Select(l => tokenLabels[l]).ToArray()).ToArray();
                entities = EntityMetrics.Compute(gold, predicted);
            }
        }

        ClassificationReport? sentences = null;
        if (classes is not null)
        {
            int[] labelled = Enumerable.Range(0, examples.Count).Where(i => examples[i].SentenceLabel is not null).ToArray();
            if (labelled.Length > 0)
            {
                string[] gold = labelled.Select(i => examples[i].SentenceLabel!).ToArray();
                string[] predicted = labelled.Select(i => classes[ModelRunner.ArgMax(predictions[i].SequenceProbabilities!)]).ToArray();
                sentences = ClassificationMetrics.Compute(gold, predicted, classes);
            }
        }

        return new EvaluationResult(entities, sentences);
    }

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
