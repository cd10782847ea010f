using static TorchSharp.torch;

namespace NerClassify.Heads;

/// <summary>
/// Base of sequence-classification heads: maps a sentence (token states [B, T, H], mask, pooled state) to one logit
/// per class [B, C]. Derive from it to plug in a head of your own: declare its submodules as fields, call
/// <c>RegisterComponents()</c> last in the constructor, and register a factory under <see cref="HeadType"/> in a
/// <see cref="HeadRegistry"/> so that a saved model finds the head again when it is loaded.
/// </summary>
public abstract class SequenceHead : nn.Module<SequenceHeadInput, Tensor>
{
    /// <summary>Creates the head.</summary>
    /// <param name="headType">
    /// The head's type name: stored in <c>config.json</c> for a head that is not the library's
    /// <see cref="SequenceClassificationHead"/>, and the key under which a <see cref="HeadRegistry"/> builds it again.
    /// </param>
    /// <param name="classCount">Number of sentence classes.</param>
    /// <exception cref="ArgumentException"><paramref name="headType"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is less than 1.</exception>
    protected SequenceHead(string headType, int classCount)
        : base(headType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(headType);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        HeadType = headType;
        ClassCount = classCount;
    }

    /// <summary>The head's type name, the key of its factory in a <see cref="HeadRegistry"/>.</summary>
    public string HeadType { get; }

    /// <summary>Number of sentence classes (the logits' last dimension).</summary>
    public int ClassCount { get; }
}
