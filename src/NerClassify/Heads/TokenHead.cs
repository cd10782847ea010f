using static TorchSharp.torch;

namespace NerClassify.Heads;

/// <summary>
/// Base of token-classification heads: maps every token state [B, T, H] to one logit per label [B, T, L].
/// Derive from it to plug in a head of your own: declare its submodules as fields, call
/// <c>RegisterComponents()</c> last in the constructor, and register a factory under <see cref="HeadType"/> in a
/// <see cref="HeadRegistry"/> so that a saved model finds the head again when it is loaded.
/// </summary>
public abstract class TokenHead : nn.Module<TokenHeadInput, Tensor>
{
    /// <summary>Creates the head.</summary>
    /// <param name="headType">
    /// The head's type name: stored in <c>config.json</c> for a head that is not the library's
    /// <see cref="TokenClassificationHead"/>, and the key under which a <see cref="HeadRegistry"/> builds it again.
    /// </param>
    /// <param name="labelCount">Number of token labels.</param>
    /// <exception cref="ArgumentException"><paramref name="headType"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelCount"/> is less than 1.</exception>
    protected TokenHead(string headType, int labelCount)
        : base(headType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(headType);
        ArgumentOutOfRangeException.ThrowIfLessThan(labelCount, 1);
        HeadType = headType;
        LabelCount = labelCount;
    }

    /// <summary>The head's type name, the key of its factory in a <see cref="HeadRegistry"/>.</summary>
    public string HeadType { get; }

    /// <summary>Number of token labels (the logits' last dimension).</summary>
    public int LabelCount { get; }

    /// <summary>Whether the head reads <see cref="TokenHeadInput.CasingIds"/>. Default false.</summary>
    public virtual bool UsesCasing => false;

    /// <summary>The CRF over the head's word scores, or null when the head is trained with cross-entropy and decoded from its softmax.</summary>
    internal virtual LinearChainCrf? Crf => null;
}
