using System.Text.Json;
using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.Inference;
using NerClassify.IO;
using NerClassify.Tokenization;

namespace NerClassify.OnnxRuntime;

/// <summary>
/// Runs a model exported with <c>NerClassifier.ExportOnnx</c> in ONNX Runtime: the same predictions and evaluation as
/// the TorchSharp model, without TorchSharp, for applications that only deploy.
/// </summary>
/// <remarks>
/// One instance serves any number of concurrent callers. <see cref="Dispose"/> waits for calls in flight, then frees
/// the session; later calls throw <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class OnnxNerClassifier : INerPredictor
{
    private readonly PredictionEngine _engine;

    /// <summary>The ONNX file's name in a model directory (<c>model.onnx</c>), where <see cref="Load"/> looks for it.</summary>
    public const string FileName = ModelFiles.Onnx;

    private OnnxNerClassifier(OnnxRuntimeBackend backend, BertVocabulary vocabulary, ModelConfig config, PredictorOptions options)
    {
        _engine = new PredictionEngine(backend, vocabulary, config, options, nameof(OnnxNerClassifier));
    }

    /// <inheritdoc />
    public ModelConfig Config => _engine.Config;

    /// <summary>The prediction settings.</summary>
    public PredictorOptions Options => _engine.Options;

    /// <summary>
    /// Loads an ONNX export: a <c>.onnx</c> file written by <c>NerClassifier.ExportOnnx</c> (its metadata holds the
    /// configuration and vocabulary), or a saved model directory that holds <c>model.onnx</c>.
    /// </summary>
    /// <param name="path">The ONNX file or the model directory.</param>
    /// <param name="options">Batching, decoding and threads (<see cref="ComputeOptions.Threads"/> sets ONNX Runtime's intra-op threads); null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file, or a file the directory needs, is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">ONNX Runtime cannot load the file, or it lacks the exporter's inputs, outputs or metadata; the message names it.</exception>
    public static OnnxNerClassifier Load(string path, PredictorOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options = (options ?? new PredictorOptions()).Validate();
        bool isDirectory = Directory.Exists(path);
        string onnxPath = isDirectory ? Path.Combine(path, ModelFiles.Onnx) : path;
        if (isDirectory && !File.Exists(onnxPath))
        {
            throw new FileNotFoundException($"The model directory '{path}' has no {ModelFiles.Onnx}; write it with NerClassifier.ExportOnnx.", onnxPath);
        }

        OnnxRuntimeBackend backend = OnnxRuntimeBackend.Open(onnxPath, options.Compute);
        try
        {
            (ModelConfig config, BertVocabulary vocabulary) = isDirectory ? ReadDirectory(path, backend, onnxPath) : ReadMetadata(backend, onnxPath);
            if (!SameLabels(config.TokenLabels, backend.TokenLabels) || !SameLabels(config.SequenceLabels, backend.SequenceLabels))
            {
                throw new InvalidDataException($"The labels of '{onnxPath}' differ from its configuration's; export the model again.");
            }

            return new OnnxNerClassifier(backend, vocabulary, config, options);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Prediction Predict(string text) => _engine.Predict(text);

    /// <inheritdoc />
    public Prediction Predict(IReadOnlyList<string> words) => _engine.Predict(words);

    /// <inheritdoc />
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
        _engine.PredictBatch(texts, cancellationToken);

    /// <inheritdoc />
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<IReadOnlyList<string>> sentences, CancellationToken cancellationToken = default) =>
        _engine.PredictBatch(sentences, cancellationToken);

    /// <inheritdoc />
    public Task<Prediction> PredictAsync(string text, CancellationToken cancellationToken = default) =>
        _engine.PredictAsync(text, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Prediction>> PredictBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
        _engine.PredictBatchAsync(texts, cancellationToken);

    /// <summary>Streams predictions for a stream of texts, in input order, one batch at a time.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public IAsyncEnumerable<Prediction> PredictStreamAsync(IAsyncEnumerable<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return _engine.PredictStreamAsync(texts, cancellationToken);
    }

    /// <inheritdoc />
    public EvaluationResult Evaluate(IReadOnlyList<TrainingExample> examples, CancellationToken cancellationToken = default) =>
        _engine.Evaluate(examples, cancellationToken);

    /// <inheritdoc />
    public Task<EvaluationResult> EvaluateAsync(string dataPath, string? labelsPath = null, CancellationToken cancellationToken = default) =>
        _engine.EvaluateAsync(dataPath, labelsPath, cancellationToken);

    /// <summary>Waits for calls in flight, then closes the ONNX Runtime session.</summary>
    public void Dispose() => _engine.Dispose();

    private static (ModelConfig, BertVocabulary) ReadDirectory(string directory, OnnxRuntimeBackend backend, string onnxPath)
    {
        string configPath = Path.Combine(directory, ModelFiles.Config);
        BertVocabulary vocabulary = BertVocabulary.Load(directory);
        System.Text.Json.Nodes.JsonObject root = ModelConfigFile.ReadObject(configPath);
        CheckSameWeights(ModelConfigFile.ReadWeightsSha256(root), backend, configPath, onnxPath);
        return (ModelConfigFile.Read(root, configPath, vocabulary.LowerCase), vocabulary);
    }

    // A save records its weights' fingerprint in config.json and an export in the ONNX metadata: a directory saved
    // again after its export holds a model.onnx of other weights, which would predict with the old model unnoticed.
    // A config.json without a fingerprint (a Hugging Face directory) cannot be checked and is trusted.
    private static void CheckSameWeights(string? saved, OnnxRuntimeBackend backend, string configPath, string onnxPath)
    {
        if (saved is null)
        {
            return;
        }

        backend.Metadata.TryGetValue(OnnxMetadataKeys.WeightsSha256, out string? exported);
        if (string.Equals(saved, exported, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        throw new InvalidDataException(exported is null
            ? $"'{onnxPath}' records no weights fingerprint, so it cannot be matched with the weights saved with '{configPath}' ({ModelConfigFile.Section}.{ModelConfigFile.WeightsSha256} {saved}). Export it again with NerClassifier.ExportOnnx after the last save."
            : $"'{onnxPath}' was exported from other weights than those saved with '{configPath}' (weights SHA-256 {exported} in the ONNX file, {saved} in {ModelConfigFile.Section}.{ModelConfigFile.WeightsSha256}): the model was saved again after the export. Export it again with NerClassifier.ExportOnnx, or load the directory with NerClassifier.Load.");
    }

    private static (ModelConfig, BertVocabulary) ReadMetadata(OnnxRuntimeBackend backend, string path)
    {
        IReadOnlyDictionary<string, string> metadata = backend.Metadata;
        if (!metadata.TryGetValue(OnnxMetadataKeys.Vocabulary, out string? tokens))
        {
            throw new InvalidDataException($"'{path}' carries no vocabulary in its metadata; load the model directory it was exported into, or export it again with NerClassifier.ExportOnnx.");
        }

        ModelConfig config;
        try
        {
            config = metadata.TryGetValue(OnnxMetadataKeys.Config, out string? json)
                ? JsonSerializer.Deserialize<ModelConfig>(json, ModelConfigFile.SerializerOptions)!.Validate()
                : ConfigFromLabels(backend, metadata);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"'{path}': the configuration in its metadata is invalid: {e.Message}", e);
        }

        if (metadata.TryGetValue(OnnxMetadataKeys.Tokenizer, out string? tokenizer))
        {
            return (config, BertVocabulary.FromPortableJson(tokenizer, $"The tokenizer in the metadata of '{path}'"));
        }

        using var vocabulary = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(tokens));
        return (config, BertVocabulary.Load(vocabulary, config.LowerCase));
    }

    private static ModelConfig ConfigFromLabels(OnnxRuntimeBackend backend, IReadOnlyDictionary<string, string> metadata)
    {
        // Exports from before the configuration was written whole: the separate keys.
        (int maxLength, int stride) = ModelConfig.DefaultWindow(
            backend.MaxPositions,
            metadata.TryGetValue(OnnxMetadataKeys.MaxLength, out string? length) && int.TryParse(length, out int l) ? l : null,
            metadata.TryGetValue(OnnxMetadataKeys.Stride, out string? strideText) && int.TryParse(strideText, out int s) ? s : null);
        return new ModelConfig
        {
            Task = TaskKinds.FromHeads(backend.TokenLabels is not null, backend.SequenceLabels is not null),
            TokenLabels = backend.TokenLabels,
            SequenceLabels = backend.SequenceLabels,
            LowerCase = metadata.TryGetValue(OnnxMetadataKeys.DoLowerCase, out string? lower) && lower == "true",
            MaxLength = maxLength,
            Stride = stride,
        }.Validate();
    }

    private static bool SameLabels(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b, StringComparer.Ordinal);
}
