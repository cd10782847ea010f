using static TorchSharp.torch;

namespace NerClassify.Heads;

/// <summary>What a token head sees.</summary>
/// <param name="HiddenStates">[B, T, H]: the encoder's last hidden state.</param>
/// <param name="CasingIds">[B, T]: each subword's word casing (<see cref="Tokenization.WordCasing"/>), or null when the model does not use casing.</param>
public sealed record TokenHeadInput(Tensor HiddenStates, Tensor? CasingIds);
