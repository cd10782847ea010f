using static TorchSharp.torch;

namespace NerClassify.Models;

/// <summary>What a task model returns for a batch. The tensors belong to the caller's dispose scope.</summary>
/// <param name="TokenLogits">[B, T, token labels], or null for a sequence-only model.</param>
/// <param name="SequenceLogits">[B, sentence classes], or null for a token-only model.</param>
public sealed record TaskOutputs(Tensor? TokenLogits, Tensor? SequenceLogits);
