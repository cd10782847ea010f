namespace NerClassify.Checkpoints.Onnx;

/// <summary>
/// A dense float32 tensor read from an ONNX file, already in the Hugging Face layout.
/// </summary>
/// <param name="Shape">The dimensions, outermost first.</param>
/// <param name="Values">The elements in row-major order; its length is the product of <paramref name="Shape"/>.</param>
internal sealed record ImportedTensor(long[] Shape, float[] Values);
