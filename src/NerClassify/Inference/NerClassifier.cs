using System.Runtime.CompilerServices;
using NerClassify.Encoders;
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
    private readonly TaskModel _model;
    private readonly ModelRunner _runner;

    /// <summary>Wraps a trained model; the classifier takes ownership and disposes it.</summary>
    /// <param name="model">The model.</param>
    /// <param name="vocabulary">Its vocabulary.</param>
    /// <param name="options">Batching, decoding, device.</param>
    /// <param name="encoding">Subword window settings, or null for 512 subwords with stride 128.</param>
    public NerClassifier(TaskModel model, BertVocabulary vocabulary, PredictorOptions? options = null, EncodingOptions? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        Options = (options ?? new PredictorOptions()).Validate();
        _model = model;
        Vocabulary = vocabulary;
        int maxLength = Math.Min(512, model.Encoder.Config.MaxPositionEmbeddings);
        Encoding = encoding ?? new EncodingOptions { MaxLength = maxLength, Stride = Math.Min(128, maxLength / 4) };
        _model.eval();
        using Stream vocab = vocabulary.OpenRead();
        _runner = new ModelRunner(model, BertWordTokenizer.Create(vocab, vocabulary.LowerCase), Encoding, Options.ConstrainedDecoding);
    }

    /// <summary>The settings.</summary>
    public PredictorOptions Options { get; }

    /// <summary>The model's vocabulary.</summary>
    public BertVocabulary Vocabulary { get; }

    /// <summary>The window settings used to split long inputs.</summary>
    public EncodingOptions Encoding { get; }

    /// <summary>The underlying model.</summary>
    public TaskModel Model => _model;

    /// <summary>Loads a model directory written by <see cref="Save"/> or <see cref="ModelDirectory.Save"/>.</summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="options">Batching, decoding, device.</param>
    public static NerClassifier Load(string directory, PredictorOptions? options = null)
    {
        options = (options ?? new PredictorOptions()).Validate();
        LoadedModel loaded = ModelDirectory.Load(directory, options.Compute);
        return new NerClassifier(loaded.Model, loaded.Vocabulary, options, loaded.Encoding);
    }

    /// <summary>Saves the model as a directory that <see cref="Load"/> reads.</summary>
    public void Save(string directory) => ModelDirectory.Save(_model, Vocabulary, directory, Encoding);

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

    /// <summary>Disposes the model.</summary>
    public void Dispose() => _model.Dispose();

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
        if (raw.WordLabels is { } labels && _model.TokenLabels is { } names)
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
        if (raw.SequenceProbabilities is { } probabilities && _model.SequenceLabels is { } classes)
        {
            int best = Array.IndexOf(probabilities, probabilities.Max());
            sentence = new SentenceClassification(classes[best], probabilities[best], classes.Select((c, k) => KeyValuePair.Create(c, probabilities[k])).ToDictionary());
        }

        return new Prediction(input.Text, input.Words, tags, entities, sentence);
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
