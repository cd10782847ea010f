using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.IO;
using NerClassify.Inference;
using NerClassify.Tokenization;

namespace NerClassify.OnnxRuntime;

/// <summary>
/// Runs a graph written by the ONNX exporter in an ONNX Runtime CPU session with every graph
/// optimization on. Labels come from the file's metadata; casing is used when the graph has a <c>casing_ids</c> input,
/// word characters when it has a <c>character_ids</c> input.
/// </summary>
internal sealed class OnnxRuntimeBackend : IInferenceBackend
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _sessionOptions;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _hasTokens;
    private readonly bool _hasSequences;

    private OnnxRuntimeBackend(Func<SessionOptions, InferenceSession> open, string source, ComputeOptions compute)
    {
        if (compute.Device == DeviceKind.Cuda)
        {
            throw new NotSupportedException("The ONNX Runtime backend runs on the CPU; use DeviceKind.Cpu or Auto, or the TorchSharp backend for CUDA.");
        }

        _sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = compute.Threads ?? 0,
            InterOpNumThreads = 1,
        };
        try
        {
            _session = open(_sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            _sessionOptions.Dispose();
            throw new InvalidDataException($"ONNX Runtime could not load '{source}': {e.Message}", e);
        }

        try
        {
            IReadOnlyDictionary<string, NodeMetadata> inputs = _session.InputMetadata;
            string[] required = [OnnxTensorNames.InputIds, OnnxTensorNames.AttentionMask, OnnxTensorNames.TokenTypeIds];
            string[] missing = required.Where(name => !inputs.ContainsKey(name)).ToArray();
            if (missing.Length > 0)
            {
                throw new InvalidDataException($"'{source}' lacks the inputs {string.Join(", ", missing)}; export it with OnnxExporter.");
            }

            UsesCasing = inputs.ContainsKey(OnnxTensorNames.CasingIds);
            UsesCharacters = inputs.ContainsKey(OnnxTensorNames.CharacterIds);
            var inputNames = new List<string>(required);
            if (UsesCasing)
            {
                inputNames.Add(OnnxTensorNames.CasingIds);
            }

            if (UsesCharacters)
            {
                inputNames.Add(OnnxTensorNames.CharacterIds);
            }

            _inputNames = [.. inputNames];
            _hasTokens = _session.OutputMetadata.ContainsKey(OnnxTensorNames.TokenLogits);
            _hasSequences = _session.OutputMetadata.ContainsKey(OnnxTensorNames.SequenceLogits);
            if (!_hasTokens && !_hasSequences)
            {
                throw new InvalidDataException($"'{source}' has neither a '{OnnxTensorNames.TokenLogits}' nor a '{OnnxTensorNames.SequenceLogits}' output.");
            }

            _outputNames = new[] { (_hasTokens, OnnxTensorNames.TokenLogits), (_hasSequences, OnnxTensorNames.SequenceLogits) }
                .Where(o => o.Item1).Select(o => o.Item2).ToArray();
            Metadata = _session.ModelMetadata.CustomMetadataMap;
            TokenLabels = _hasTokens ? ReadLabels(OnnxMetadataKeys.TokenLabels, source) : null;
            SequenceLabels = _hasSequences ? ReadLabels(OnnxMetadataKeys.SequenceLabels, source) : null;
            Crf = _hasTokens && Metadata.TryGetValue(OnnxMetadataKeys.Crf, out string? crf) ? CrfDecoder.FromJson(crf, source) : null;
            if (Crf is not null && Crf.LabelCount != TokenLabels!.Count)
            {
                throw new InvalidDataException($"'{source}': the CRF covers {Crf.LabelCount} labels; the model has {TokenLabels.Count}.");
            }

            MaxPositions = Metadata.TryGetValue(OnnxMetadataKeys.MaxPositionEmbeddings, out string? positions)
                && int.TryParse(positions, NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) && count > 0 ? count : 512;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string>? TokenLabels { get; }

    /// <inheritdoc />
    public IReadOnlyList<string>? SequenceLabels { get; }

    /// <inheritdoc />
    public bool UsesCasing { get; }

    /// <inheritdoc />
    public bool UsesCharacters { get; }

    /// <inheritdoc />
    public CrfDecoder? Crf { get; }

    /// <inheritdoc />
    public int MaxPositions { get; }

    /// <summary>The file's <c>metadata_props</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens an ONNX file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist; the message names it.</exception>
    /// <exception cref="InvalidDataException">The file is not a model ONNX Runtime loads, or not one of the exporter's; the message names it.</exception>
    public static OnnxRuntimeBackend Open(string path, ComputeOptions compute)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The ONNX model '{path}' does not exist.", path);
        }

        return new OnnxRuntimeBackend(options => new InferenceSession(path, options), path, compute);
    }

    /// <summary>Opens a model held in memory.</summary>
    public static OnnxRuntimeBackend FromBytes(byte[] model, ComputeOptions compute) =>
        new(options => new InferenceSession(model, options), "the exported model", compute);

    /// <inheritdoc />
    public BatchScores Run(Batch batch)
    {
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        long[]? casing = UsesCasing ? batch.CasingIds ?? throw new InvalidOperationException("The model uses casing ids but the batch has none.") : null;
        long[]? characters = UsesCharacters ? batch.CharacterIds ?? throw new InvalidOperationException("The model uses character ids but the batch has none.") : null;
        using var ids = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, shape);
        using OrtValue? casingIds = casing is null ? null : OrtValue.CreateTensorValueFromMemory(casing, shape);
        using OrtValue? characterIds = characters is null ? null : OrtValue.CreateTensorValueFromMemory(characters, [.. shape, WordCharacters.Width]);
        OrtValue[] values = new[] { ids, mask, types, casingIds, characterIds }.OfType<OrtValue>().ToArray();
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, _inputNames, values, _outputNames);
        float[]? tokens = null;
        float[]? sequences = null;
        int next = 0;
        if (_hasTokens)
        {
            tokens = outputs[next++].GetTensorDataAsSpan<float>().ToArray();
            LogSoftmax(tokens, TokenLabels!.Count);
        }

        if (_hasSequences)
        {
            sequences = outputs[next].GetTensorDataAsSpan<float>().ToArray();
            Softmax(sequences, SequenceLabels!.Count);
        }

        return new BatchScores(tokens, sequences);
    }

    /// <summary>Closes the session.</summary>
    public void Dispose()
    {
        _session?.Dispose();
        _sessionOptions.Dispose();
    }

    private static void LogSoftmax(float[] values, int width)
    {
        for (int start = 0; start < values.Length; start += width)
        {
            Span<float> row = values.AsSpan(start, width);
            float max = Max(row);
            float sum = 0;
            foreach (float v in row)
            {
                sum += MathF.Exp(v - max);
            }

            float shift = max + MathF.Log(sum);
            for (int i = 0; i < row.Length; i++)
            {
                row[i] -= shift;
            }
        }
    }

    private static void Softmax(float[] values, int width)
    {
        for (int start = 0; start < values.Length; start += width)
        {
            Span<float> row = values.AsSpan(start, width);
            float max = Max(row);
            float sum = 0;
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = MathF.Exp(row[i] - max);
                sum += row[i];
            }

            for (int i = 0; i < row.Length; i++)
            {
                row[i] /= sum;
            }
        }
    }

    private static float Max(ReadOnlySpan<float> row)
    {
        float max = float.NegativeInfinity;
        foreach (float v in row)
        {
            max = MathF.Max(max, v);
        }

        return max;
    }

    private ModelConfig? ReadConfig(string source)
    {
        if (!Metadata.TryGetValue(OnnxMetadataKeys.Config, out string? json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ModelConfig>(json, ModelConfigFile.SerializerOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}': metadata '{OnnxMetadataKeys.Config}' is not a valid configuration: {e.Message}", e);
        }
    }

    private string[] ReadLabels(string key, string source)
    {
        if (!Metadata.TryGetValue(key, out string? json))
        {
            // Exports write the labels once, inside the configuration; older ones wrote them under their own keys too.
            if (ReadConfig(source) is { } config && (key == OnnxMetadataKeys.TokenLabels ? config.TokenLabels : config.SequenceLabels) is { } labels)
            {
                return labels.ToArray();
            }

            throw new InvalidDataException($"'{source}' has no '{key}' metadata and no labels in '{OnnxMetadataKeys.Config}'; export it with NerClassifier.ExportOnnx.");
        }

        try
        {
            return JsonSerializer.Deserialize<string[]>(json) ?? throw new InvalidDataException($"'{source}': metadata '{key}' is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}': metadata '{key}' is not a JSON array of strings: {e.Message}", e);
        }
    }
}
