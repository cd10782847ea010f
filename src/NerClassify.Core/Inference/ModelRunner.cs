using NerClassify.Data;
using NerClassify.Tokenization;

namespace NerClassify.Inference;

/// <summary>
/// Turns words into model inputs and model outputs into word-level predictions: tokenization with windows,
/// length-sorted batches, one <see cref="IInferenceBackend.Run"/> per batch, window merging and (optionally)
/// constrained decoding. Stateless per call, so one runner serves concurrent callers.
/// </summary>
internal sealed class ModelRunner
{
    private readonly IInferenceBackend _backend;
    private readonly SubwordTokenizer _tokenizer;
    private readonly EncodingOptions _encoding;
    private readonly BioDecoder? _decoder;

    /// <summary>A runner over any backend; the runner does not own it.</summary>
    public ModelRunner(IInferenceBackend backend, SubwordTokenizer tokenizer, EncodingOptions encoding, bool constrainedDecoding)
    {
        _backend = backend;
        _tokenizer = tokenizer;
        _encoding = encoding;
        _decoder = constrainedDecoding && backend.TokenLabels is not null ? new BioDecoder(backend.TokenLabels) : null;
    }

    /// <summary>Encodes one sentence, with labels when given, into one or more windows.</summary>
    public IReadOnlyList<EncodedSentence> Encode(IReadOnlyList<string> words, IReadOnlyList<int>? wordLabels, int? sentenceLabel, int sentenceIndex)
    {
        IReadOnlyList<EncodedSentence> windows = _tokenizer.Encode(words, _encoding, wordLabels, sentenceLabel, sentenceIndex);
        if (!_backend.UsesCasing && !_backend.UsesCharacters)
        {
            return windows;
        }

        return windows.Select(w => w with
        {
            CasingIds = _backend.UsesCasing ? WordCasings.ForSubwords(words, w.WordIndex) : null,
            CharacterIds = _backend.UsesCharacters ? WordCharacters.ForSubwords(words, w.WordIndex) : null,
        }).ToArray();
    }

    /// <summary>Predicts every sentence; results are in input order.</summary>
    public SentencePrediction[] Predict(IReadOnlyList<IReadOnlyList<string>> sentences, int batchSize, CancellationToken cancellationToken)
    {
        var windowsOf = new IReadOnlyList<EncodedSentence>[sentences.Count];
        var wordCounts = new int[sentences.Count];
        for (int i = 0; i < sentences.Count; i++)
        {
            windowsOf[i] = Encode(sentences[i], null, null, i);
            wordCounts[i] = sentences[i].Count;
        }

        return Predict(windowsOf, wordCounts, batchSize, int.MaxValue, cancellationToken);
    }

    /// <summary>
    /// Predicts sentences already encoded with <see cref="Encode"/>; results are in input order. Each forward pass
    /// holds at most <paramref name="batchSize"/> windows and, when more than one, at most
    /// <paramref name="maxBatchTokens"/> padded tokens (rows times the longest row).
    /// </summary>
    public SentencePrediction[] Predict(IReadOnlyList<IReadOnlyList<EncodedSentence>> windowsOf, IReadOnlyList<int> wordCounts, int batchSize, int maxBatchTokens, CancellationToken cancellationToken)
    {
        var windows = new List<EncodedSentence>();
        foreach (IReadOnlyList<EncodedSentence> encoded in windowsOf)
        {
            windows.AddRange(encoded);
        }

        var tokenScores = new Dictionary<EncodedSentence, float[]>(ReferenceEqualityComparer.Instance);
        var sequenceScores = new Dictionary<EncodedSentence, float[]>(ReferenceEqualityComparer.Instance);
        foreach (EncodedSentence[] rows in Plan(windows, batchSize, maxBatchTokens))
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Collated one at a time, so only one forward pass's inputs are alive.
            Batch batch = BatchCollator.Collate(rows, _tokenizer.PadId);
            (float[]? tokens, float[]? sequences) = _backend.Run(batch);
            int tokenWidth = (_backend.TokenLabels?.Count ?? 0) * batch.SequenceLength;
            int classCount = _backend.SequenceLabels?.Count ?? 0;
            for (int row = 0; row < batch.BatchSize; row++)
            {
                if (tokens is not null)
                {
                    tokenScores[batch.Items[row]] = tokens.AsSpan(row * tokenWidth, tokenWidth).ToArray();
                }

                if (sequences is not null)
                {
                    sequenceScores[batch.Items[row]] = sequences.AsSpan(row * classCount, classCount).ToArray();
                }
            }
        }

        // A CRF model decodes with its own learned transitions, read per call so that a runner kept across training
        // epochs sees the current ones; constrained decoding still forbids what the tag scheme forbids.
        CrfDecoder? crf = _backend.TokenLabels is not null ? _backend.Crf : null;
        if (crf is not null && _decoder is not null)
        {
            crf = crf.Constrain(_decoder);
        }

        var results = new SentencePrediction[windowsOf.Count];
        for (int i = 0; i < windowsOf.Count; i++)
        {
            results[i] = Merge(windowsOf[i], wordCounts[i], tokenScores, sequenceScores, crf);
        }

        return results;
    }

    /// <summary>Windows sorted by length (stable) and cut into forward passes within both limits.</summary>
    private static List<EncodedSentence[]> Plan(List<EncodedSentence> windows, int batchSize, int maxBatchTokens)
    {
        EncodedSentence[] sorted = windows.OrderBy(w => w.Length).ToArray();
        var plan = new List<EncodedSentence[]>();
        int start = 0;
        while (start < sorted.Length)
        {
            int end = start + 1;

            // Sorted ascending, so the window added last is the longest: the pass costs rows x its length.
            while (end < sorted.Length && end - start < batchSize && (long)(end - start + 1) * sorted[end].Length <= maxBatchTokens)
            {
                end++;
            }

            plan.Add(sorted[start..end]);
            start = end;
        }

        return plan;
    }

    private SentencePrediction Merge(
        IReadOnlyList<EncodedSentence> windows,
        int wordCount,
        Dictionary<EncodedSentence, float[]> tokenScores,
        Dictionary<EncodedSentence, float[]> sequenceScores,
        CrfDecoder? crf)
    {
        int[]? labels = null;
        float[]? confidences = null;
        if (_backend.TokenLabels is { } tokenLabels)
        {
            int labelCount = tokenLabels.Count;
            WordPosition[] positions = WindowMerger.SelectPositions(windows, wordCount);
            var logProbabilities = new float[wordCount][];
            for (int word = 0; word < wordCount; word++)
            {
                float[] scores = tokenScores[windows[positions[word].Window]];
                logProbabilities[word] = scores.AsSpan(positions[word].Position * labelCount, labelCount).ToArray();
            }

            labels = crf?.Decode(logProbabilities) ?? _decoder?.Decode(logProbabilities) ?? logProbabilities.Select(ArgMax).ToArray();
            confidences = labels.Select((label, word) => MathF.Exp(logProbabilities[word][label])).ToArray();
        }

        float[]? sentence = null;
        if (_backend.SequenceLabels is { } classes)
        {
            // A sentence split into windows gets the mean of its windows' class probabilities.
            sentence = new float[classes.Count];
            foreach (EncodedSentence window in windows)
            {
                float[] probabilities = sequenceScores[window];
                for (int c = 0; c < sentence.Length; c++)
                {
                    sentence[c] += probabilities[c] / windows.Count;
                }
            }
        }

        return new SentencePrediction(labels, confidences, sentence);
    }

    /// <summary>The index of the largest value.</summary>
    internal static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
