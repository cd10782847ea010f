using System.Globalization;
using System.Text;
using Google.Protobuf;
using NerClassify.Checkpoints.Onnx;
using NerClassify.IO;
using NerClassify.Inference;
using NerClassify.Models;

namespace NerClassify.Export;

/// <summary>
/// Writes a model as an NVIDIA Triton Inference Server model repository entry for the ONNX Runtime backend:
/// <c>&lt;repository&gt;/&lt;name&gt;/&lt;version&gt;/model.onnx</c>, a <c>config.pbtxt</c> with the inputs,
/// outputs and dynamic batching, and one labels file per classifier output (<c>label_filename</c>).
/// </summary>
/// <remarks>
/// Triton takes token ids, not text: a client tokenizes with the model's <c>vocab.txt</c> and decodes the logits.
/// The batch dimension is left out of every <c>dims</c> (Triton adds it when <c>max_batch_size</c> is above zero);
/// the sequence dimension is <c>-1</c>.
/// </remarks>
internal static class TritonExporter
{
    /// <summary>The model configuration file Triton reads from the model folder.</summary>
    public const string ConfigFileName = "config.pbtxt";

    /// <summary>The labels file of <see cref="OnnxTensorNames.TokenLogits"/>, one label per line in id order.</summary>
    public const string TokenLabelsFileName = "token_labels.txt";

    /// <summary>The labels file of <see cref="OnnxTensorNames.SequenceLogits"/>, one class per line in id order.</summary>
    public const string SequenceLabelsFileName = "sequence_labels.txt";

    /// <summary>Exports <paramref name="model"/> into the Triton model repository <paramref name="repository"/>.</summary>
    /// <param name="model">A token, sequence or multitask model with the default heads over a <see cref="Encoders.Bert.BertEncoder"/>.</param>
    /// <param name="repository">The repository folder (what <c>tritonserver --model-repository</c> points at); created if missing.</param>
    /// <param name="options">Name, version, batching; null for the defaults.</param>
    /// <returns>The model's folder, <c>Path.Combine(repository, options.ModelName)</c>.</returns>
    /// <exception cref="NotSupportedException">The model cannot be exported to ONNX (custom heads; the message names the type) or has a CRF token head.</exception>
    public static string Export(TaskModel model, string repository, TritonExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(repository);
        options = (options ?? new TritonExportOptions()).Validate();
        if (model.TokenCrf is not null)
        {
            throw new NotSupportedException(
                "Models with a CRF token head (TokenHeadOptions.Crf = true) cannot be served by Triton: Triton returns the per-token scores, and the "
                + "CRF's Viterbi decoding happens outside the graph. Export to ONNX instead (OnnxNerClassifier decodes with the CRF), or train without the CRF.");
        }

        ModelProto onnx = OnnxExporter.Build(model, options.Onnx.Validate());
        var labels = new Dictionary<string, (string File, IReadOnlyList<string> Names)>();
        if (model.TokenLabels is { } tokenLabels)
        {
            labels[OnnxTensorNames.TokenLogits] = (TokenLabelsFileName, tokenLabels);
        }

        if (model.SequenceLabels is { } sequenceLabels)
        {
            labels[OnnxTensorNames.SequenceLogits] = (SequenceLabelsFileName, sequenceLabels);
        }

        string folder = Path.Combine(repository, options.ModelName);
        string versionFolder = Path.Combine(folder, options.Version.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(versionFolder);
        AtomicFile.Write(Path.Combine(versionFolder, OnnxExporter.FileName), onnx.WriteTo);
        foreach ((string file, IReadOnlyList<string> names) in labels.Values)
        {
            AtomicFile.WriteAllText(Path.Combine(folder, file), string.Concat(names.Select(n => n + "\n")));
        }

        AtomicFile.WriteAllText(Path.Combine(folder, ConfigFileName), Config(onnx.Graph, options, labels.ToDictionary(l => l.Key, l => l.Value.File)));
        return folder;
    }

    /// <summary>The <c>config.pbtxt</c> text (protobuf text format of Triton's <c>ModelConfig</c>) for the graph's inputs and outputs.</summary>
    private static string Config(GraphProto graph, TritonExportOptions options, IReadOnlyDictionary<string, string> labelFiles)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"name: {Quote(options.ModelName)}\n");
        text.Append("platform: \"onnxruntime_onnx\"\n");
        text.Append(CultureInfo.InvariantCulture, $"max_batch_size: {options.MaxBatchSize}\n");
        Tensors(text, "input", graph.Input, labelFiles: null);
        Tensors(text, "output", graph.Output, labelFiles);
        text.Append("dynamic_batching {\n");
        if (options.PreferredBatchSizes is { Count: > 0 } preferred)
        {
            text.Append(CultureInfo.InvariantCulture, $"  preferred_batch_size: [ {string.Join(", ", preferred)} ]\n");
        }

        // Triton counts the delay in whole microseconds.
        long delay = (long)Math.Round(options.MaxQueueDelay.TotalMicroseconds);
        text.Append(CultureInfo.InvariantCulture, $"  max_queue_delay_microseconds: {delay}\n");
        text.Append("}\n");
        return text.ToString();
    }

    private static void Tensors(StringBuilder text, string field, IEnumerable<ValueInfoProto> values, IReadOnlyDictionary<string, string>? labelFiles)
    {
        var entries = values.ToArray();
        text.Append(field).Append(" [\n");
        for (int i = 0; i < entries.Length; i++)
        {
            ValueInfoProto value = entries[i];
            text.Append("  {\n");
            text.Append(CultureInfo.InvariantCulture, $"    name: {Quote(value.Name)}\n");
            text.Append(CultureInfo.InvariantCulture, $"    data_type: {DataType(value)}\n");
            text.Append(CultureInfo.InvariantCulture, $"    dims: [ {string.Join(", ", Dims(value))} ]\n");
            if (labelFiles is not null && labelFiles.TryGetValue(value.Name, out string? file))
            {
                text.Append(CultureInfo.InvariantCulture, $"    label_filename: {Quote(file)}\n");
            }

            text.Append(i + 1 < entries.Length ? "  },\n" : "  }\n");
        }

        text.Append("]\n");
    }

    /// <summary>The dims after the batch dimension; a named (dynamic) dimension is -1.</summary>
    private static IEnumerable<long> Dims(ValueInfoProto value)
    {
        var dims = value.Type?.TensorType?.Shape?.Dim ?? throw new InvalidOperationException($"Graph tensor '{value.Name}' has no shape.");
        if (dims.Count < 2 || dims[0].ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam)
        {
            throw new NotSupportedException($"Graph tensor '{value.Name}' must have a dynamic batch dimension and at least one more for Triton's batching.");
        }

        return dims.Skip(1).Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1L);
    }

    private static string DataType(ValueInfoProto value) => (TensorProto.Types.DataType)value.Type.TensorType.ElemType switch
    {
        TensorProto.Types.DataType.Int64 => "TYPE_INT64",
        TensorProto.Types.DataType.Float => "TYPE_FP32",
        var other => throw new NotSupportedException($"Graph tensor '{value.Name}' has element type {other}, which the Triton export does not map."),
    };

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
