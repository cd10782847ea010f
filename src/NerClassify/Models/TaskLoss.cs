using static TorchSharp.torch;

namespace NerClassify.Models;

/// <summary>A batch's training loss and its parts.</summary>
/// <param name="Total">The loss to minimise (a scalar tensor).</param>
/// <param name="Token">Token cross-entropy, or null when the batch or model has no token labels.</param>
/// <param name="Sequence">Sentence cross-entropy, or null when the batch or model has no sentence labels.</param>
public sealed record TaskLoss(Tensor Total, Tensor? Token, Tensor? Sequence);
