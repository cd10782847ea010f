using System.Runtime.CompilerServices;
using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.IO;
using NerClassify.Metrics;
using NerClassify.Tokenization;

namespace NerClassify.Inference;

/// <summary>
/// The prediction path both public predictors share: raw text split into CoNLL-style words, windows, one backend
/// run per batch, constrained decoding, and entity spans mapped back into the caller's string. Owns the backend
/// and guards it: calls in flight finish before <see cref="Dispose"/> frees it.
/// </summary>
internal sealed class PredictionEngine : IDisposable
{
    private readonly IInferenceBackend _backend;
    private readonly ModelRunner _runner;
    private readonly CallGuard _guard;
    private readonly Action? _onDispose;
    private readonly Lock _batcherLock = new();
    private MicroBatcher<QueuedText, Prediction>? _batcher;

    /// <summary>Creates the engine; it owns <paramref name="backend"/> and calls <paramref name="onDispose"/> after disposing it.</summary>
    public PredictionEngine(IInferenceBackend backend, BertVocabulary vocabulary, ModelConfig config, PredictorOptions options, string ownerName, Action? onDispose = null)
    {
        _backend = backend;
        Config = config;
        Options = options;
        _onDispose = onDispose;
        _guard = new CallGuard(ownerName);
        _runner = new ModelRunner(backend, SubwordTokenizer.For(vocabulary), config.Encoding(), options.ConstrainedDecoding);
    }

    /// <summary>The model's settings (updated by training with what it trained on).</summary>
    public ModelConfig Config { get; set; }

    /// <summary>The prediction settings.</summary>
    public PredictorOptions Options { get; }

    /// <summary>The guard of the owner's calls.</summary>
    public CallGuard Guard => _guard;

    /// <inheritdoc cref="INerPredictor.Predict(string)"/>
    public Prediction Predict(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckLength(text.Length, nameof(text), "The text");
        return PredictTexts([text], CancellationToken.None)[0];
    }

    /// <inheritdoc cref="INerPredictor.PredictAsync(string, CancellationToken)"/>
    public Task<Prediction> PredictAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckLength(text.Length, nameof(text), "The text");
        if (!Options.MicroBatching.Enabled)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(PredictTexts([text], cancellationToken)[0]);
        }

        MicroBatcher<QueuedText, Prediction> batcher = Batcher();
        return batcher.EnqueueAsync(Queue(text), cancellationToken);
    }

    /// <inheritdoc cref="INerPredictor.PredictBatchAsync(IReadOnlyList{string}, CancellationToken)"/>
    public Task<IReadOnlyList<Prediction>> PredictBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        for (int i = 0; i < texts.Count; i++)
        {
            CheckText(texts[i], i, nameof(texts));
        }

        if (!Options.MicroBatching.Enabled)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(PredictTexts(texts, cancellationToken));
        }

        MicroBatcher<QueuedText, Prediction> batcher = Batcher();
        return EnqueueAsync(batcher, texts.Select(Queue).ToArray(), cancellationToken);

        static async Task<IReadOnlyList<Prediction>> EnqueueAsync(MicroBatcher<QueuedText, Prediction> batcher, QueuedText[] queued, CancellationToken cancellationToken) =>
            await batcher.EnqueueManyAsync(queued, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="INerPredictor.Predict(IReadOnlyList{string})"/>
    public Prediction Predict(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        CheckLength(JoinedLength(words, nameof(words), "The sentence"), nameof(words), "The sentence");
        return Run([FromWords(words)], CancellationToken.None)[0];
    }

    /// <inheritdoc cref="INerPredictor.PredictBatch(IReadOnlyList{string}, CancellationToken)"/>
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        for (int i = 0; i < texts.Count; i++)
        {
            CheckText(texts[i], i, nameof(texts));
        }

        return PredictTexts(texts, cancellationToken);
    }

    /// <inheritdoc cref="INerPredictor.PredictBatch(IReadOnlyList{IReadOnlyList{string}}, CancellationToken)"/>
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<IReadOnlyList<string>> sentences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        for (int i = 0; i < sentences.Count; i++)
        {
            string what = $"Sentence {i}";
            IReadOnlyList<string> words = sentences[i] ?? throw new ArgumentException($"{what} is null.", nameof(sentences));
            CheckLength(JoinedLength(words, nameof(sentences), what), nameof(sentences), what);
        }

        TextWords[] inputs = sentences.Select(FromWords).ToArray();
        return Run(inputs, cancellationToken);
    }

    /// <summary>Streams predictions for a stream of texts, in input order, one batch at a time.</summary>
    public async IAsyncEnumerable<Prediction> PredictStreamAsync(IAsyncEnumerable<string> texts, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new List<string>(Options.BatchSize);
        int index = 0;
        await foreach (string text in texts.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            CheckText(text, index++, nameof(texts));
            pending.Add(text);
            if (pending.Count == Options.BatchSize)
            {
                foreach (Prediction prediction in PredictTexts(pending, cancellationToken))
                {
                    yield return prediction;
                }

                pending.Clear();
            }
        }

        foreach (Prediction prediction in PredictTexts(pending, cancellationToken))
        {
            yield return prediction;
        }
    }

    /// <inheritdoc cref="INerPredictor.Evaluate"/>
    public EvaluationResult Evaluate(IReadOnlyList<TrainingExample> examples, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(examples);
        for (int i = 0; i < examples.Count; i++)
        {
            if (examples[i] is null)
            {
                throw new ArgumentException($"Example {i} is null.", nameof(examples));
            }
        }

        using CallGuard.Lease lease = _guard.Enter();
        SentencePrediction[] predictions = _runner.Predict(examples.Select(e => e.Words).ToArray(), Options.BatchSize, cancellationToken);
        return EvaluationResult.Compute(examples, predictions, _backend.TokenLabels, _backend.SequenceLabels);
    }

    /// <inheritdoc cref="INerPredictor.EvaluateAsync"/>
    public async Task<EvaluationResult> EvaluateAsync(string dataPath, string? labelsPath, CancellationToken cancellationToken)
    {
        IReadOnlyList<TrainingExample> examples = await TrainingData.LoadAsync(Config.Task, dataPath, labelsPath, cancellationToken).ConfigureAwait(false);
        return Evaluate(examples, cancellationToken);
    }

    /// <summary>Waits for calls in flight, then frees the backend; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        // Queued micro-batched calls fail with ObjectDisposedException; a running batch finishes first.
        lock (_batcherLock)
        {
            _batcher?.Dispose();
        }

        if (_guard.BeginDispose())
        {
            _backend.Dispose();
            _onDispose?.Invoke();
        }
    }

    private MicroBatcher<QueuedText, Prediction> Batcher()
    {
        lock (_batcherLock)
        {
            ObjectDisposedException.ThrowIf(_guard.IsDisposed, this);
            MicroBatchingOptions batching = Options.MicroBatching;
            return _batcher ??= new MicroBatcher<QueuedText, Prediction>(
                RunQueued, static queued => queued.Tokens, batching.MaxBatchSize, batching.MaxBatchTokens, batching.MaxWait, size => InferenceMetrics.BatchSize.Record(size));
        }
    }

    /// <summary>Splits and tokenizes a text on the caller's thread, so the batcher knows its cost in tokens.</summary>
    private QueuedText Queue(string text)
    {
        TextWords input = TextWordSplitter.Split(text);
        IReadOnlyList<EncodedSentence> windows = _runner.Encode(input.Words, null, null, 0);
        return new QueuedText(input, windows, windows.Sum(w => w.Length));
    }

    /// <summary>One micro-batch: forward passes within the token budget, stopping early when every caller has gone.</summary>
    private IReadOnlyList<Prediction> RunQueued(IReadOnlyList<QueuedText> queued, CancellationToken cancellationToken)
    {
        using CallGuard.Lease lease = _guard.Enter();
        SentencePrediction[] raw = _runner.Predict(
            queued.Select(q => q.Windows).ToArray(), queued.Select(q => q.Input.Words.Count).ToArray(), Options.BatchSize, Options.MicroBatching.MaxBatchTokens, cancellationToken);
        var results = new Prediction[queued.Count];
        for (int i = 0; i < queued.Count; i++)
        {
            results[i] = Describe(queued[i].Input, raw[i]);
        }

        return results;
    }

    private IReadOnlyList<Prediction> PredictTexts(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        TextWords[] inputs = texts.Select(TextWordSplitter.Split).ToArray();
        return Run(inputs, cancellationToken);
    }

    private void CheckText(string? text, int index, string paramName)
    {
        if (text is null)
        {
            throw new ArgumentException($"Text {index} is null.", paramName);
        }

        CheckLength(text.Length, paramName, $"Text {index}");
    }

    private void CheckLength(long length, string paramName, string what)
    {
        if (length > Options.MaxInputLength)
        {
            throw new ArgumentException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{what} has {length:N0} characters, more than PredictorOptions.MaxInputLength ({Options.MaxInputLength:N0}). Split it, or raise the limit."),
                paramName);
        }
    }

    private static long JoinedLength(IReadOnlyList<string> words, string paramName, string what)
    {
        long length = Math.Max(0, words.Count - 1);
        for (int w = 0; w < words.Count; w++)
        {
            length += (words[w] ?? throw new ArgumentException($"{what}: word {w} is null.", paramName)).Length;
        }

        return length;
    }

    private Prediction[] Run(TextWords[] inputs, CancellationToken cancellationToken)
    {
        using CallGuard.Lease lease = _guard.Enter();
        if (inputs.Length == 0)
        {
            return [];
        }

        SentencePrediction[] raw = _runner.Predict(inputs.Select(i => i.Words).ToArray(), Options.BatchSize, cancellationToken);
        var results = new Prediction[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            results[i] = Describe(inputs[i], raw[i]);
        }

        return results;
    }

    private Prediction Describe(TextWords input, SentencePrediction raw)
    {
        string[] tags = [];
        var entities = new List<EntitySpan>();
        if (raw.WordLabels is { } labels && _backend.TokenLabels is { } names)
        {
            tags = labels.Select(l => names[l]).ToArray();
            foreach (Entity entity in EntityExtractor.Extract(tags))
            {
                int start = input.Spans[entity.Start].Start;
                int end = input.Spans[entity.End - 1].End;
                float score = raw.WordConfidences!.Skip(entity.Start).Take(entity.End - entity.Start).Average();
                entities.Add(new EntitySpan(entity.Type, input.Text[start..end], start, end, entity.Start, entity.End - 1, score));
            }
        }

        SentenceClassification? sentence = null;
        if (raw.SequenceProbabilities is { } probabilities && _backend.SequenceLabels is { } classes)
        {
            int best = ModelRunner.ArgMax(probabilities);
            sentence = new SentenceClassification(classes[best], probabilities[best], classes.Select((c, k) => KeyValuePair.Create(c, probabilities[k])).ToDictionary());
        }

        return new Prediction(input.Text, input.Words, tags, entities, sentence);
    }

    /// <summary>A text waiting for a micro-batch: its words, its windows and their tokens.</summary>
    private sealed record QueuedText(TextWords Input, IReadOnlyList<EncodedSentence> Windows, int Tokens);

    private static TextWords FromWords(IReadOnlyList<string> words)
    {
        var spans = new List<WordSpan>(words.Count);
        int position = 0;
        foreach (string word in words)
        {
            spans.Add(new WordSpan(position, word.Length));
            position += word.Length + 1;
        }

        return new TextWords(string.Join(' ', words), words.ToArray(), spans);
    }
}
