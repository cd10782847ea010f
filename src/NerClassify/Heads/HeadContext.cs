using NerClassify.Encoders.Bert;

namespace NerClassify.Heads;

/// <summary>What a <see cref="HeadRegistry"/> factory gets to build a head for a model being loaded or copied.</summary>
/// <param name="InputSize">Width of the encoder's token states (H).</param>
/// <param name="LabelCount">Number of token labels or sentence classes the head must predict.</param>
/// <param name="Encoder">The encoder's configuration (dropout, initializer range, ...).</param>
/// <param name="EncoderHasPooler">Whether the encoder supplies <see cref="SequenceHeadInput.PooledOutput"/>.</param>
public sealed record HeadContext(int InputSize, int LabelCount, BertConfig Encoder, bool EncoderHasPooler);
