namespace NerClassify.Inference;

/// <summary>The runtime that executes the model inside <see cref="NerClassifier"/>.</summary>
public enum InferenceBackend
{
    /// <summary>The TorchSharp model itself (CPU or CUDA).</summary>
    TorchSharp,

    /// <summary>ONNX Runtime on the CPU, running the graph that <see cref="Export.OnnxExporter"/> writes.</summary>
    OnnxRuntime,
}
