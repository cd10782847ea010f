namespace NerClassify.Checkpoints.Onnx;

/// <summary>One place where a value is read: the consuming node and the input slot it occupies.</summary>
/// <param name="Node">The consuming node.</param>
/// <param name="InputIndex">The zero-based index into <see cref="NodeProto.Input"/>.</param>
internal readonly record struct OnnxGraphUse(NodeProto Node, int InputIndex);
