using static TorchSharp.torch;

namespace NerClassify.Heads;

/// <summary>
/// Base of token-classification heads: maps every token state to one logit per label. Derive from it to
/// plug in a head of your own; declare its submodules as fields and call <c>RegisterComponents()</c>.
/// </summary>
internal abstract class TokenHead : nn.Module<TokenHeadInput, Tensor>
{
    /// <summary>Creates the head.</summary>
    /// <param name="name">A display name.</param>
    /// <param name="labelCount">Number of token labels.</param>
    protected TokenHead(string name, int labelCount)
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(labelCount, 1);
        LabelCount = labelCount;
    }

    /// <summary>Number of token labels (the logits' last dimension).</summary>
    public int LabelCount { get; }

    /// <summary>The CRF over the head's word scores, or null when the head is trained with cross-entropy and decoded from its softmax.</summary>
    public virtual LinearChainCrf? Crf => null;

    /// <summary>Whether the head reads <see cref="TokenHeadInput.CasingIds"/>.</summary>
    public virtual bool UsesCasing => false;
}
