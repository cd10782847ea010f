namespace NerClassify.Inference;

/// <summary>
/// Revises the predictions of a document's sentences in the light of one another, after they were predicted one by
/// one: an uncertain sentence class leans towards the classes of the other sentences, and repeated mentions of an
/// entity agree on its type. It needs no second forward pass, so it costs nothing next to prediction, and it never
/// looks past the sentences it is given: pass one document at a time (for CoNLL data, the sentences between two
/// <c>-DOCSTART-</c> lines).
/// </summary>
public static class DocumentContext
{
    /// <summary>Revises the predictions of one document's sentences.</summary>
    /// <param name="document">The predictions of the document's sentences, in any order; for example from <see cref="INerPredictor.PredictBatch(IReadOnlyList{string}, CancellationToken)"/>.</param>
    /// <param name="options">How much context to use; null for the defaults.</param>
    /// <returns>
    /// One prediction per input, in the same order: the input itself where nothing changed, otherwise a copy with
    /// the revised sentence class (its probabilities renormalised) or entity types and tags.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="document"/> is null.</exception>
    /// <exception cref="ArgumentException">A prediction in <paramref name="document"/> is null; the message names its index.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; see <see cref="DocumentContextOptions.Validate"/>.</exception>
    public static IReadOnlyList<Prediction> Apply(IReadOnlyList<Prediction> document, DocumentContextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        options = (options ?? new DocumentContextOptions()).Validate();
        for (int i = 0; i < document.Count; i++)
        {
            if (document[i] is null)
            {
                throw new ArgumentException($"Prediction {i} of the document is null.", nameof(document));
            }
        }

        Dictionary<string, Dictionary<string, double>>? entityTypes = options.UnifyEntityTypes ? VoteEntityTypes(document) : null;
        (Dictionary<string, double> classTotals, int classified) = SumClasses(document);
        var revised = new Prediction[document.Count];
        for (int i = 0; i < document.Count; i++)
        {
            Prediction prediction = document[i];
            if (options.ClassPriorWeight > 0 && classified > 1 && prediction.Sentence is { } own
                && ReviseClass(own, classTotals, classified, options) is { } sentence)
            {
                prediction = prediction with { Sentence = sentence };
            }

            revised[i] = entityTypes is null ? prediction : RetypeEntities(prediction, entityTypes);
        }

        return revised;
    }

    /// <summary>Revises the predictions of the sentences of several documents, each document on its own.</summary>
    /// <param name="sentences">The predictions of every sentence, for example of a whole CoNLL file in file order.</param>
    /// <param name="documentIndexes">
    /// The document of each sentence, in the same order (for CoNLL data, <see cref="Data.ConllSentence.DocumentIndex"/>).
    /// A document's sentences need not be next to each other.
    /// </param>
    /// <param name="options">How much context to use; null for the defaults.</param>
    /// <returns>One prediction per sentence, in the same order, as <see cref="Apply(IReadOnlyList{Prediction}, DocumentContextOptions?)"/> gives for each document.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sentences"/> or <paramref name="documentIndexes"/> is null.</exception>
    /// <exception cref="ArgumentException">The two lists differ in length, or a prediction is null; the message names the index.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; see <see cref="DocumentContextOptions.Validate"/>.</exception>
    public static IReadOnlyList<Prediction> ApplyByDocument(IReadOnlyList<Prediction> sentences, IReadOnlyList<int> documentIndexes, DocumentContextOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(documentIndexes);
        if (sentences.Count != documentIndexes.Count)
        {
            throw new ArgumentException($"There are {sentences.Count} predictions but {documentIndexes.Count} document indexes.", nameof(documentIndexes));
        }

        for (int i = 0; i < sentences.Count; i++)
        {
            if (sentences[i] is null)
            {
                throw new ArgumentException($"Prediction {i} is null.", nameof(sentences));
            }
        }

        var revised = new Prediction[sentences.Count];
        foreach (int[] document in Enumerable.Range(0, sentences.Count).GroupBy(i => documentIndexes[i]).Select(d => d.ToArray()))
        {
            IReadOnlyList<Prediction> inContext = Apply(document.Select(i => sentences[i]).ToArray(), options);
            for (int k = 0; k < document.Length; k++)
            {
                revised[document[k]] = inContext[k];
            }
        }

        return revised;
    }

    /// <summary>Each class's probability summed over the document's classified sentences, and how many those are.</summary>
    private static (Dictionary<string, double> Totals, int Count) SumClasses(IReadOnlyList<Prediction> document)
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        int count = 0;
        foreach (Prediction prediction in document)
        {
            if (prediction.Sentence is { } sentence)
            {
                count++;
                foreach ((string label, float probability) in sentence.Probabilities)
                {
                    totals[label] = totals.GetValueOrDefault(label) + probability;
                }
            }
        }

        return (totals, count);
    }

    /// <summary>
    /// The class of a sentence given the other <paramref name="classified"/> - 1 classified sentences of its document,
    /// whose class probabilities are <paramref name="classTotals"/> less its own; null when no class scores above 0.
    /// </summary>
    private static SentenceClassification? ReviseClass(SentenceClassification own, Dictionary<string, double> classTotals, int classified, DocumentContextOptions options)
    {
        // p(class | sentence, document) ∝ p(class | sentence) · (mean over the other sentences + floor)^weight
        var scores = new List<KeyValuePair<string, double>>(own.Probabilities.Count);
        double total = 0;
        foreach ((string label, float probability) in own.Probabilities)
        {
            double othersMean = Math.Max(0, classTotals.GetValueOrDefault(label) - probability) / (classified - 1);
            double prior = othersMean + options.ClassPriorFloor;
            double score = probability * Math.Pow(prior, options.ClassPriorWeight);
            scores.Add(KeyValuePair.Create(label, score));
            total += score;
        }

        if (!(total > 0))
        {
            return null;
        }

        var probabilities = new Dictionary<string, float>(scores.Count, StringComparer.Ordinal);
        string best = own.Label;
        double bestScore = double.NegativeInfinity;
        foreach ((string label, double score) in scores)
        {
            probabilities[label] = (float)(score / total);
            if (score > bestScore)
            {
                (best, bestScore) = (label, score);
            }
        }

        return new SentenceClassification(best, probabilities[best], probabilities);
    }

    /// <summary>For each entity text that the document's mentions give more than one type, the summed score of each type.</summary>
    private static Dictionary<string, Dictionary<string, double>> VoteEntityTypes(IReadOnlyList<Prediction> document)
    {
        var votes = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        foreach (Prediction prediction in document)
        {
            foreach (EntitySpan entity in prediction.Entities)
            {
                if (!votes.TryGetValue(entity.Text, out Dictionary<string, double>? byType))
                {
                    votes[entity.Text] = byType = new Dictionary<string, double>(StringComparer.Ordinal);
                }

                byType[entity.Type] = byType.GetValueOrDefault(entity.Type) + entity.Score;
            }
        }

        foreach ((string text, Dictionary<string, double> byType) in votes)
        {
            if (byType.Count == 1)
            {
                votes.Remove(text);
            }
        }

        return votes;
    }

    /// <summary>The prediction with each entity whose type lost its text's vote given the winning type, tags included.</summary>
    private static Prediction RetypeEntities(Prediction prediction, Dictionary<string, Dictionary<string, double>> votes)
    {
        string[]? tags = null;
        EntitySpan[]? entities = null;
        for (int e = 0; e < prediction.Entities.Count; e++)
        {
            EntitySpan entity = prediction.Entities[e];
            if (!votes.TryGetValue(entity.Text, out Dictionary<string, double>? byType))
            {
                continue;
            }

            (string type, double score) = byType.MaxBy(pair => pair.Value);
            if (score <= byType[entity.Type])
            {
                continue;
            }

            entities ??= prediction.Entities.ToArray();
            entities[e] = entity with { Type = type };
            tags ??= prediction.Tags.ToArray();
            for (int word = entity.FirstWord; word <= entity.LastWord && word < tags.Length; word++)
            {
                int dash = tags[word].IndexOf('-', StringComparison.Ordinal);
                if (dash > 0)
                {
                    tags[word] = string.Concat(tags[word].AsSpan(0, dash + 1), type);
                }
            }
        }

        return entities is null ? prediction : prediction with { Entities = entities, Tags = tags! };
    }
}
