using static TorchSharp.torch;

namespace NerClassify.Models;

/// <summary>One batch of model inputs, int64 tensors on the model's device, [B, T] unless stated.</summary>
/// <param name="InputIds">Token ids.</param>
/// <param name="AttentionMask">1 for tokens, 0 for padding.</param>
/// <param name="TokenTypeIds">Segment ids.</param>
/// <param name="CasingIds">Word casing ids, for heads that use casing; else null.</param>
/// <param name="CharacterIds">[B, T, W] word character ids, for models with character features; else null.</param>
public sealed record ModelInputs(Tensor InputIds, Tensor AttentionMask, Tensor TokenTypeIds, Tensor? CasingIds, Tensor? CharacterIds = null);
