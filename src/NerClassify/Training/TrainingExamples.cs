using NerClassify.Data;
using NerClassify.Inference;
using NerClassify.Metrics;
using NerClassify.Models;
using NerClassify.Tokenization;

namespace NerClassify.Training;

/// <summary>Checks labelled sentences against a model before any work, and encodes training sentences into windows with label ids.</summary>
internal static class TrainingExamples
{
    /// <summary>
    /// Checks every example before any work: not null, words and tags not null and one tag per word, tags and sentence
    /// labels the model knows (for evaluation, tags need only be well formed, since entity scores allow types the model
    /// lacks), and, for training, a label for at least one of the model's tasks. Errors name the example's index.
    /// </summary>
    public static void Check(TaskModel model, IReadOnlyList<TrainingExample> examples, string paramName, string what, bool training)
    {
        LabelSet? tokenLabels = model.TokenLabels is null ? null : LabelSet.FromLabels(model.TokenLabels);
        HashSet<string>? classes = model.SequenceLabels is null ? null : new HashSet<string>(model.SequenceLabels, StringComparer.Ordinal);
        for (int i = 0; i < examples.Count; i++)
        {
            TrainingExample example = examples[i] ?? throw new ArgumentException($"{what} {i} is null.", paramName);
            IReadOnlyList<string> words = example.Words ?? throw new ArgumentException($"{what} {i} has no word list (Words is null).", paramName);
            for (int w = 0; w < words.Count; w++)
            {
                if (words[w] is null)
                {
                    throw new ArgumentException($"{what} {i}: word {w} is null.", paramName);
                }
            }

            if (example.Tags is { } tags)
            {
                if (tags.Count != words.Count)
                {
                    throw new ArgumentException($"{what} {i} has {words.Count} words but {tags.Count} tags; it needs one tag per word.", paramName);
                }

                CheckTags(tags, training ? tokenLabels : null, model, paramName, $"{what} {i}");
            }

            if (classes is not null && example.SentenceLabel is { } label && !classes.Contains(label))
            {
                throw new ArgumentException(
                    $"{what} {i}: sentence label '{LineExcerpt.Of(label)}' is not one of the model's classes ({string.Join(", ", model.SequenceLabels!)}).", paramName);
            }

            bool labelled = (tokenLabels is not null && example.Tags is not null) || (classes is not null && example.SentenceLabel is not null);
            if (training && !labelled)
            {
                throw new ArgumentException($"{what} {i} has no label for any of the model's tasks.", paramName);
            }
        }
    }

    private static void CheckTags(IReadOnlyList<string> tags, LabelSet? known, TaskModel model, string paramName, string where)
    {
        for (int t = 0; t < tags.Count; t++)
        {
            string? tag = tags[t];
            if (tag is null)
            {
                throw new ArgumentException($"{where}: tag {t} is null.", paramName);
            }

            if (known is not null && !known.TryGetId(tag, out _))
            {
                throw new ArgumentException(
                    $"{where}: tag '{LineExcerpt.Of(tag)}' is not one of the model's labels ({string.Join(", ", model.TokenLabels!)}).", paramName);
            }

            if (known is null && model.TokenLabels is not null)
            {
                // Evaluation scores entities, so a gold tag need only parse; the same parser reads it later.
                try
                {
                    ParsedTag.Parse(tag, paramName, sentence: null, t);
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException(
                        $"{where}: tag {t} '{LineExcerpt.Of(tag)}' is neither 'O' nor a B-, I-, E- or S- tag (typed or not).", paramName, e);
                }
            }
        }
    }

    /// <summary>Encodes the training sentences into windows with label ids (-100 where a task has no label).</summary>
    public static List<EncodedSentence> Encode(TaskModel model, ModelRunner runner, IReadOnlyList<TrainingExample> train)
    {
        LabelSet? tokenLabels = model.TokenLabels is null ? null : LabelSet.FromLabels(model.TokenLabels);
        var classIds = model.SequenceLabels?.Select((name, id) => (name, id)).ToDictionary(p => p.name, p => p.id);
        var encoded = new List<EncodedSentence>(train.Count);
        for (int i = 0; i < train.Count; i++)
        {
            TrainingExample example = train[i];
            int[]? labels = null;
            if (tokenLabels is not null && example.Tags is not null)
            {
                labels = example.Tags.Select(tag => tokenLabels.TryGetId(tag, out int id) ? id
                    : throw new ArgumentException($"Training example {i}: tag '{tag}' is not one of the model's labels ({string.Join(", ", model.TokenLabels!)}).", nameof(train))).ToArray();
            }

            int? sentenceLabel = null;
            if (classIds is not null && example.SentenceLabel is { } label)
            {
                sentenceLabel = classIds.TryGetValue(label, out int id) ? id
                    : throw new ArgumentException($"Training example {i}: sentence label '{label}' is not one of the model's classes ({string.Join(", ", model.SequenceLabels!)}).", nameof(train));
            }

            if (labels is null && sentenceLabel is null)
            {
                throw new ArgumentException($"Training example {i} has no label for any of the model's tasks.", nameof(train));
            }

            encoded.AddRange(runner.Encode(example.Words, labels, sentenceLabel, i));
        }

        return encoded;
    }
}
