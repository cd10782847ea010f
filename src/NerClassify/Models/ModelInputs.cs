using static TorchSharp.torch;

namespace NerClassify.Models;

/// <summary>One batch of model inputs, all [B, T] int64 tensors on the model's device.</summary>
/// <param name="InputIds">Token ids.</param>
/// <param name="AttentionMask">1 for tokens, 0 for padding.</param>
/// <param name="TokenTypeIds">Segment ids.</param>
/// <param name="CasingIds">Word casing ids, for heads that use casing; else null.</param>
internal sealed record ModelInputs(Tensor InputIds, Tensor AttentionMask, Tensor TokenTypeIds, Tensor? CasingIds);
