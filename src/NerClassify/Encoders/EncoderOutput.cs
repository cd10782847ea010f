using static TorchSharp.torch;

namespace NerClassify.Encoders;

/// <summary>What an <see cref="IEncoder"/> returns. The tensors belong to the caller's dispose scope.</summary>
/// <param name="LastHiddenState">[B, T, H]: the final layer's token states.</param>
/// <param name="PooledOutput">[B, H]: tanh(dense([CLS] state)), or null when the encoder has no pooler.</param>
public sealed record EncoderOutput(Tensor LastHiddenState, Tensor? PooledOutput);
