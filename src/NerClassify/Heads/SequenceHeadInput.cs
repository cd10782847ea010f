using static TorchSharp.torch;

namespace NerClassify.Heads;

/// <summary>What a sequence head sees.</summary>
/// <param name="HiddenStates">[B, T, H]: the encoder's last hidden state.</param>
/// <param name="AttentionMask">[B, T]: 1 for tokens, 0 for padding.</param>
/// <param name="PooledOutput">[B, H]: the encoder's pooler output (tanh(dense([CLS]))), or null when the encoder has none.</param>
public sealed record SequenceHeadInput(Tensor HiddenStates, Tensor AttentionMask, Tensor? PooledOutput);
