namespace NerClassify.Cli;

/// <summary>Which runtime runs a model.</summary>
internal enum Backend
{
    /// <summary>ONNX when the path is an <c>.onnx</c> file or a directory holding <c>model.onnx</c>, else TorchSharp.</summary>
    Auto,

    /// <summary>TorchSharp (<c>NerClassifier</c>): a saved model directory.</summary>
    TorchSharp,

    /// <summary>ONNX Runtime (<c>OnnxNerClassifier</c>): an <c>.onnx</c> file or a directory holding <c>model.onnx</c>.</summary>
    Onnx,
}
