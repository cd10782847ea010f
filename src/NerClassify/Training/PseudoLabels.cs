using NerClassify.Data;
using NerClassify.Inference;

namespace NerClassify.Training;

/// <summary>
/// Turns a teacher's predictions on unlabelled sentences into training examples: tags when the teacher is sure of
/// every word, a sentence class when it is sure of the class, and a seeded sample when more pass than the cap allows.
/// </summary>
internal static class PseudoLabels
{
    /// <summary>The kept examples, in input order.</summary>
    /// <param name="sentences">The unlabelled sentences' words: all the teacher was given.</param>
    /// <param name="predictions">The teacher's predictions, one per sentence.</param>
    /// <param name="tokenLabels">The model's tags, or null for a sentence-only model.</param>
    /// <param name="classes">The model's sentence classes, or null for an entity-only model.</param>
    /// <param name="options">Thresholds and the cap.</param>
    /// <param name="seed">Seeds the sample drawn when more sentences pass than the cap allows.</param>
    public static IReadOnlyList<TrainingExample> Select(
        IReadOnlyList<IReadOnlyList<string>> sentences,
        IReadOnlyList<SentencePrediction> predictions,
        IReadOnlyList<string>? tokenLabels,
        IReadOnlyList<string>? classes,
        SelfTrainingOptions options,
        int seed)
    {
        var kept = new List<(int Index, TrainingExample Example)>();
        for (int i = 0; i < sentences.Count; i++)
        {
            SentencePrediction prediction = predictions[i];
            if (sentences[i].Count == 0)
            {
                continue;
            }

            string[]? tags = null;
            if (tokenLabels is not null && prediction.WordLabels is { } labels && prediction.WordConfidences is { } confidences)
            {
                double weakest = confidences.Min();
                if (weakest >= options.MinTagConfidence)
                {
                    tags = labels.Select(l => tokenLabels[l]).ToArray();
                }
            }

            string? sentenceLabel = null;
            if (classes is not null && prediction.SequenceProbabilities is { } probabilities)
            {
                int best = ModelRunner.ArgMax(probabilities);
                if (probabilities[best] >= options.MinSentenceConfidence)
                {
                    sentenceLabel = classes[best];
                }
            }

            if (tags is not null || sentenceLabel is not null)
            {
                kept.Add((i, new TrainingExample(sentences[i], tags, sentenceLabel)));
            }
        }

        if (options.MaxSentences is { } max && kept.Count > max)
        {
            // A seeded sample rather than the most confident: those are mostly the shortest, easiest sentences.
            var random = new Random(seed);
            (int Index, TrainingExample Example)[] shuffled = [.. kept];
            random.Shuffle(shuffled);
            kept = [.. shuffled.Take(max).OrderBy(k => k.Index)];
        }

        return kept.Select(k => k.Example).ToArray();
    }
}
