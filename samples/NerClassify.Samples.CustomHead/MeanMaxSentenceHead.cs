using NerClassify.Heads;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Samples.CustomHead;

/// <summary>
/// A sentence head of our own: the mean and the maximum of the token states (padding left out), side by side, then
/// dropout and a linear layer to the classes. It ignores the encoder's pooler. Keys: <c>classifier.*</c>.
/// </summary>
internal sealed class MeanMaxSentenceHead : SequenceHead
{
    /// <summary>The name config.json records and the <see cref="HeadRegistry"/> builds it by.</summary>
    public const string TypeName = "samples.mean-max-sentence-head";

    [ComponentName(Name = "dropout")]
    private readonly Dropout _dropout;

    [ComponentName(Name = "classifier")]
    private readonly Linear _classifier;

    public MeanMaxSentenceHead(int inputSize, int classCount, double dropout = 0.1)
        : base(TypeName, classCount)
    {
        _dropout = Dropout(dropout);
        _classifier = Linear(2 * inputSize, classCount);
        RegisterComponents();
    }

    public override Tensor forward(SequenceHeadInput input)
    {
        using Tensor mask = input.AttentionMask.unsqueeze(-1).to_type(input.HiddenStates.dtype); // [B, T, 1]
        using Tensor summed = input.HiddenStates.mul(mask).sum(1); // [B, H]
        using Tensor counts = mask.sum(1).clamp_min(1); // [B, 1]
        using Tensor mean = summed.div(counts);

        // Padding gets a very low value so that it never wins the maximum.
        using Tensor padding = mask.eq(0);
        using Tensor masked = input.HiddenStates.masked_fill(padding, -1e4);
        using Tensor max = masked.amax(1); // [B, H]
        using Tensor joined = cat([mean, max], dim: -1); // [B, 2H]
        using Tensor dropped = _dropout.forward(joined);
        return _classifier.forward(dropped); // [B, classes]
    }
}
