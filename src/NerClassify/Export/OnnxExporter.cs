using NerClassify.Tokenization;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Google.Protobuf;
using NerClassify.Checkpoints.Onnx;
using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.IO;
using NerClassify.Inference;
using NerClassify.Models;
using static TorchSharp.torch;

namespace NerClassify.Export;

/// <summary>
/// Writes a fine-tuned task model (BERT encoder and default heads, trained weights) as a standard ONNX model:
/// opset 17, IR version 8, inputs and outputs named as in <see cref="OnnxTensorNames"/>, labels and settings in
/// <c>metadata_props</c> (<see cref="OnnxMetadataKeys"/>). Runs in ONNX Runtime, including its transformer fusions.
/// </summary>
/// <remarks>
/// Dropout is left out (inference graph). The attention mask becomes <c>(1 - mask) * -10000</c>, which after softmax
/// equals the library's <c>float.MinValue</c> mask. Put the file beside a saved model as <see cref="FileName"/> and
/// OnnxNerClassifier (package NerClassify.OnnxRuntime) runs it.
/// </remarks>
internal static class OnnxExporter
{
    /// <summary>The file name OnnxNerClassifier looks for in a model directory.</summary>
    public const string FileName = IO.ModelFiles.Onnx;

    /// <summary>The operator set version of the default domain.</summary>
    public const int OpsetVersion = 17;

    /// <summary>The ONNX IR version written.</summary>
    public const int IrVersion = 8;

    /// <summary>Exports <paramref name="model"/> to <paramref name="path"/>, replacing any file there atomically.</summary>
    /// <param name="model">A token, sequence or multitask model with the default heads over a <see cref="Encoders.Bert.BertEncoder"/>.</param>
    /// <param name="path">The destination file; a failure midway leaves an earlier file intact.</param>
    /// <param name="options">Extra metadata; null for none.</param>
    /// <exception cref="NotSupportedException">The model, its encoder or a head is not a library default; the message names the type.</exception>
    public static void Export(TaskModel model, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ModelProto proto = Build(model, (options ?? new OnnxExportOptions()).Validate());
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        AtomicFile.Write(path, proto.WriteTo);
    }

    /// <summary>Exports <paramref name="model"/> to <paramref name="stream"/>, which is left open.</summary>
    /// <param name="model">A token, sequence or multitask model with the default heads over a <see cref="Encoders.Bert.BertEncoder"/>.</param>
    /// <param name="stream">A writable stream.</param>
    /// <param name="options">Extra metadata; null for none.</param>
    /// <exception cref="NotSupportedException">The model, its encoder or a head is not a library default; the message names the type.</exception>
    public static void Export(TaskModel model, Stream stream, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        Build(model, (options ?? new OnnxExportOptions()).Validate()).WriteTo(stream);
    }

    /// <summary>The model's ONNX bytes, for an in-memory ONNX Runtime session.</summary>
    internal static byte[] ToBytes(TaskModel model, OnnxExportOptions options) => Build(model, options.Validate()).ToByteArray();

    internal static ModelProto Build(TaskModel model, OnnxExportOptions options)
    {
        GraphProto graph;
        using (NewDisposeScope())
        using (no_grad())
        {
            graph = TaskGraphWriter.Write(model);
        }

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "NerClassify",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            Graph = graph,
            OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion } },
        };
        foreach ((string key, string value) in Metadata(model, options))
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return proto;
    }

    private static IEnumerable<(string Key, string Value)> Metadata(TaskModel model, OnnxExportOptions options)
    {
        // The configuration is written once, as the config.json section; readers still understand the separate keys
        // (task, labels, casing, window) that older exports carried.
        ModelConfig config = options.Config ?? model.Config;
        if (options.LowerCase is { } lowerCase)
        {
            config = config with { LowerCase = lowerCase };
        }

        if (options.Encoding is { } encoding)
        {
            config = config with { MaxLength = encoding.MaxLength, Stride = encoding.Stride };
        }

        yield return (OnnxMetadataKeys.Config, JsonSerializer.Serialize(config, IO.ModelConfigFile.SerializerOptions));
        yield return (OnnxMetadataKeys.MaxPositionEmbeddings, model.Encoder.Config.MaxTokens.ToString(CultureInfo.InvariantCulture));

        if (new TorchSharpBackend(model).Crf is { } crf)
        {
            // The graph ends at the per-token scores; the runtime decodes them with the CRF's learned scores.
            yield return (OnnxMetadataKeys.Crf, crf.ToJson());
        }

        if (options.WeightsSha256 is { } weightsSha256)
        {
            yield return (OnnxMetadataKeys.WeightsSha256, weightsSha256);
        }

        if (options.Vocabulary is { } vocabulary)
        {
            yield return (OnnxMetadataKeys.Vocabulary, string.Join('\n', vocabulary.Tokens));
            if (vocabulary.Kind != VocabularyKind.WordPiece)
            {
                yield return (OnnxMetadataKeys.Tokenizer, vocabulary.ToPortableJson());
            }
        }

        foreach ((string key, string value) in options.Metadata ?? new Dictionary<string, string>())
        {
            yield return (key, value);
        }
    }
}
