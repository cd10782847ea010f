using System.Runtime.CompilerServices;
using NerClassify.Encoders;
using NerClassify.Export;
using NerClassify.Metrics;
using NerClassify.Models;
using NerClassify.Tokenization;

namespace NerClassify.Inference;

/// <summary>
/// Text in, entities with character spans and a sentence label out, from a fine-tuned token, sequence or
/// multitask model. A multitask model answers both in one forward pass.
/// </summary>
/// <remarks>
/// Threading: one instance serves any number of concurrent callers. The model is only read (evaluation mode,
/// inference mode per call), every call keeps its tensors in its own dispose scope, and the tokenizer's cache is
/// thread-safe; no per-call state is shared. Dispose only when no call is running.
/// </remarks>
public sealed class NerClassifier : IDisposable
{
    private readonly TaskModel? _model;
    private readonly IInferenceBackend _backend;
    private readonly ModelRunner _runner;
    private readonly Lock _batcherLock = new();
    private MicroBatcher<string, Prediction>? _batcher;
    private bool _disposed;

    /// <summary>Wraps a trained model; the classifier takes ownership and disposes it.</summary>
    /// <param name="model">The model.</param>
    /// <param name="vocabulary">Its vocabulary.</param>
    /// <param name="options">Batching, decoding, device, backend. With <see cref="InferenceBackend.OnnxRuntime"/> the model is exported in memory and run by ONNX Runtime.</param>
    /// <param name="encoding">Subword window settings, or null for 512 subwords with stride 128.</param>
    /// <exception cref="NotSupportedException">The ONNX Runtime backend was asked for and the model cannot be exported (custom heads), or CUDA was asked for with it.</exception>
    public NerClassifier(TaskModel model, BertVocabulary vocabulary, PredictorOptions? options = null, EncodingOptions? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        Options = (options ?? new PredictorOptions()).Validate();
        Vocabulary = vocabulary;
        Encoding = encoding ?? DefaultEncoding(model.Encoder.Config.MaxPositionEmbeddings);
        model.eval();
        _backend = Options.Backend == InferenceBackend.OnnxRuntime
            ? OnnxRuntimeBackend.FromBytes(OnnxExporter.ToBytes(model, new OnnxExportOptions()), Options.Compute)
            : new TorchSharpBackend(model);
        _model = model;
        _runner = CreateRunner(_backend, vocabulary, Encoding, Options);
    }

    private NerClassifier(OnnxRuntimeBackend backend, BertVocabulary vocabulary, PredictorOptions options, EncodingOptions encoding)
    {
        Options = options;
        Vocabulary = vocabulary;
        Encoding = encoding;
        _backend = backend;
        _runner = CreateRunner(backend, vocabulary, encoding, options);
    }

    /// <summary>The settings.</summary>
    public PredictorOptions Options { get; }

    /// <summary>The model's vocabulary.</summary>
    public BertVocabulary Vocabulary { get; }

    /// <summary>The window settings used to split long inputs.</summary>
    public EncodingOptions Encoding { get; }

    /// <summary>The underlying TorchSharp model.</summary>
    /// <exception cref="InvalidOperationException">The classifier runs an ONNX file (<see cref="LoadOnnx"/>, or <see cref="Load"/> with the ONNX Runtime backend) and has no TorchSharp model.</exception>
    public TaskModel Model => _model ?? throw new InvalidOperationException("This classifier runs an ONNX file with ONNX Runtime; it has no TorchSharp model.");

    /// <summary>Token label names in id order, or null for a sequence-only model.</summary>
    public IReadOnlyList<string>? TokenLabels => _backend.TokenLabels;

    /// <summary>Sentence class names in id order, or null for a token-only model.</summary>
    public IReadOnlyList<string>? SequenceLabels => _backend.SequenceLabels;

    /// <summary>
    /// Loads a model directory written by <see cref="Save"/> or <see cref="ModelDirectory.Save"/>. With
    /// <see cref="InferenceBackend.OnnxRuntime"/> it runs the directory's <see cref="OnnxExporter.FileName"/>
    /// (written by <see cref="ExportOnnx"/>) and reads only the vocabulary and settings besides.
    /// </summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="options">Batching, decoding, device, backend.</param>
    /// <exception cref="FileNotFoundException">A file is missing (with ONNX Runtime: <c>model.onnx</c>); the message names it.</exception>
    public static NerClassifier Load(string directory, PredictorOptions? options = null)
    {
        options = (options ?? new PredictorOptions()).Validate();
        if (options.Backend == InferenceBackend.OnnxRuntime)
        {
            ArgumentException.ThrowIfNullOrEmpty(directory);
            if (!Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"Model directory '{directory}' does not exist.");
            }

            string onnx = Path.Combine(directory, OnnxExporter.FileName);
            if (!File.Exists(onnx))
            {
                throw new FileNotFoundException($"The model directory '{directory}' has no {OnnxExporter.FileName}; write it with NerClassifier.ExportOnnx or OnnxExporter.Export.", onnx);
            }

            return LoadOnnx(onnx, BertVocabulary.Load(directory), options, ModelDirectory.LoadEncoding(directory));
        }

        LoadedModel loaded = ModelDirectory.Load(directory, options.Compute);
        return new NerClassifier(loaded.Model, loaded.Vocabulary, options, loaded.Encoding);
    }

    /// <summary>Loads an ONNX file written by <see cref="OnnxExporter"/> and runs it with ONNX Runtime, whatever <see cref="PredictorOptions.Backend"/> says.</summary>
    /// <param name="onnxPath">The ONNX file; labels come from its metadata.</param>
    /// <param name="vocabulary">The model's vocabulary.</param>
    /// <param name="options">Batching, decoding, threads (<see cref="ComputeOptions.Threads"/> sets ONNX Runtime's intra-op threads).</param>
    /// <param name="encoding">Subword window settings, or null for those in the file's metadata (else 512 subwords with stride 128).</param>
    /// <exception cref="FileNotFoundException">The file does not exist; the message names it.</exception>
    /// <exception cref="InvalidDataException">ONNX Runtime cannot load the file, or it lacks the exporter's inputs, outputs or label metadata; the message names it.</exception>
    public static NerClassifier LoadOnnx(string onnxPath, BertVocabulary vocabulary, PredictorOptions? options = null, EncodingOptions? encoding = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        ArgumentNullException.ThrowIfNull(vocabulary);
        options = (options ?? new PredictorOptions()).Validate() with { Backend = InferenceBackend.OnnxRuntime };
        OnnxRuntimeBackend backend = OnnxRuntimeBackend.Open(onnxPath, options.Compute);
        try
        {
            encoding ??= StoredEncoding(backend.Metadata) ?? DefaultEncoding(backend.MaxPositions);
            encoding.Validate();
            return new NerClassifier(backend, vocabulary, options, encoding);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>Saves the model as a directory that <see cref="Load"/> reads.</summary>
    /// <exception cref="InvalidOperationException">The classifier runs an ONNX file and has no TorchSharp model.</exception>
    public void Save(string directory) => ModelDirectory.Save(Model, Vocabulary, directory, Encoding);

    /// <summary>
    /// Exports the model to ONNX with its labels, casing and window settings in the metadata. Written to
    /// <c>Path.Combine(directory, OnnxExporter.FileName)</c> after <see cref="Save"/>, the directory also loads with the ONNX Runtime backend.
    /// </summary>
    /// <param name="path">The ONNX file to write, atomically.</param>
    /// <exception cref="InvalidOperationException">The classifier runs an ONNX file and has no TorchSharp model.</exception>
    public void ExportOnnx(string path) =>
        OnnxExporter.Export(Model, path, new OnnxExportOptions { LowerCase = Vocabulary.LowerCase, Encoding = Encoding });

    /// <summary>Predicts one text; entity spans index into <paramref name="text"/>.</summary>
    public Prediction Predict(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return PredictTexts([text], CancellationToken.None)[0];
    }

    /// <summary>Predicts one pre-split sentence; entity spans index into the words joined by single spaces.</summary>
    public Prediction Predict(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        return PredictBatch([words], CancellationToken.None)[0];
    }

    /// <summary>Predicts many texts in batches of <see cref="PredictorOptions.BatchSize"/>; results are in input order.</summary>
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return PredictTexts(texts, cancellationToken);
    }

    /// <summary>Predicts many pre-split sentences in batches; results are in input order.</summary>
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<IReadOnlyList<string>> sentences, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        TextWords[] inputs = sentences.Select(FromWords).ToArray();
        return Run(inputs, cancellationToken);
    }

    /// <summary>Streams predictions for a stream of texts, in input order, one batch at a time.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public IAsyncEnumerable<Prediction> PredictAsync(IAsyncEnumerable<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return PredictCoreAsync(texts, cancellationToken);
    }

    /// <summary>
    /// Predicts one text; with <see cref="PredictorOptions.MicroBatching"/> enabled, concurrent calls are coalesced
    /// into shared forward passes, each caller getting its own result. Without it the prediction runs synchronously
    /// on the calling thread and the returned task is already complete.
    /// </summary>
    /// <param name="text">The text; entity spans index into it.</param>
    /// <param name="cancellationToken">Cancels this call only: with micro-batching, a call cancelled before its batch starts is left out of it.</param>
    /// <exception cref="ObjectDisposedException">The classifier is disposed, or was disposed while the call waited in the queue.</exception>
    public Task<Prediction> PredictAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Options.MicroBatching.Enabled)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(Predict(text));
        }

        return Batcher().EnqueueAsync(text, cancellationToken);
    }

    /// <summary>Disposes the model and the ONNX Runtime session, if any.</summary>
    public void Dispose()
    {
        lock (_batcherLock)
        {
            _disposed = true;
        }

        // Queued calls fail with ObjectDisposedException; a running batch finishes before the model goes.
        _batcher?.Dispose();
        _backend.Dispose();
        _model?.Dispose();
    }

    private MicroBatcher<string, Prediction> Batcher()
    {
        lock (_batcherLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            MicroBatchingOptions batching = Options.MicroBatching;
            return _batcher ??= new MicroBatcher<string, Prediction>(
                texts => PredictTexts(texts, CancellationToken.None), batching.MaxBatchSize, batching.MaxWait, size => InferenceMetrics.BatchSize.Record(size));
        }
    }

    private async IAsyncEnumerable<Prediction> PredictCoreAsync(IAsyncEnumerable<string> texts, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new List<string>(Options.BatchSize);
        await foreach (string text in texts.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
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

    private IReadOnlyList<Prediction> PredictTexts(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        TextWords[] inputs = texts.Select(t => TextWordSplitter.Split(t ?? throw new ArgumentException("A text is null.", nameof(texts)))).ToArray();
        return Run(inputs, cancellationToken);
    }

    private Prediction[] Run(TextWords[] inputs, CancellationToken cancellationToken)
    {
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
            int best = Array.IndexOf(probabilities, probabilities.Max());
            sentence = new SentenceClassification(classes[best], probabilities[best], classes.Select((c, k) => KeyValuePair.Create(c, probabilities[k])).ToDictionary());
        }

        return new Prediction(input.Text, input.Words, tags, entities, sentence);
    }

    private static ModelRunner CreateRunner(IInferenceBackend backend, BertVocabulary vocabulary, EncodingOptions encoding, PredictorOptions options)
    {
        using Stream vocab = vocabulary.OpenRead();
        return new ModelRunner(backend, BertWordTokenizer.Create(vocab, vocabulary.LowerCase), encoding, options.ConstrainedDecoding);
    }

    private static EncodingOptions DefaultEncoding(int maxPositions)
    {
        int maxLength = Math.Min(512, maxPositions);
        return new EncodingOptions { MaxLength = maxLength, Stride = Math.Min(128, maxLength / 4) };
    }

    private static EncodingOptions? StoredEncoding(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.TryGetValue(OnnxMetadataKeys.MaxLength, out string? length) && metadata.TryGetValue(OnnxMetadataKeys.Stride, out string? stride)
            && int.TryParse(length, System.Globalization.CultureInfo.InvariantCulture, out int maxLength)
            && int.TryParse(stride, System.Globalization.CultureInfo.InvariantCulture, out int overlap))
        {
            return new EncodingOptions { MaxLength = maxLength, Stride = overlap };
        }

        return null;
    }

    private static TextWords FromWords(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
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
