using NerClassify.Inference;

namespace NerClassify.Samples.Service;

/// <summary>Where the model comes from (configuration section <c>Model</c>).</summary>
public sealed record ModelSourceOptions
{
    /// <summary>A model directory written by <c>NerClassifier.Save</c> (with <c>model.onnx</c> for the ONNX Runtime backend). Required.</summary>
    public string? Directory { get; init; }

    /// <summary>The runtime; with <see cref="ModelBackend.OnnxRuntime"/> the directory's <c>model.onnx</c> runs. Default TorchSharp.</summary>
    public ModelBackend Backend { get; init; } = ModelBackend.TorchSharp;

    /// <summary>An ONNX file written by <c>NerClassifier.ExportOnnx</c>, run by ONNX Runtime (it carries its vocabulary). Default none.</summary>
    public string? OnnxPath { get; init; }
}

/// <summary>The runtime that serves the model.</summary>
public enum ModelBackend
{
    /// <summary>The TorchSharp model, loaded with <c>NerClassifier.Load</c>.</summary>
    TorchSharp,

    /// <summary>The ONNX export, run by ONNX Runtime with <c>OnnxNerClassifier.Load</c>.</summary>
    OnnxRuntime,
}

/// <summary>Request limits and batching (configuration section <c>Serving</c>).</summary>
public sealed record ServingOptions
{
    /// <summary>The most texts in one request; more is answered 413. Default 64.</summary>
    public int MaxTexts { get; init; } = 64;

    /// <summary>
    /// The longest text in characters; longer is answered 413. Default 10,000. At most the library's
    /// <see cref="PredictorOptions.MaxInputLength"/> (100,000): a larger value is refused at start.
    /// </summary>
    public int MaxTextChars { get; init; } = 10_000;

    /// <summary>The largest request body in bytes; larger is answered 413 by Kestrel. Default 1 MiB.</summary>
    public long MaxRequestBytes { get; init; } = 1 << 20;

    /// <summary>Compute threads of the model (TorchSharp or ONNX Runtime intra-op); null for the runtime's default.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Coalescing of concurrent texts into shared forward passes (32 texts, 4,096 tokens, 2 ms when on). Default off:
    /// on mixed-length traffic it measured slower than concurrent unbatched requests (docs/serving.md).
    /// </summary>
    public MicroBatchingOptions MicroBatching { get; init; } = new();
}
