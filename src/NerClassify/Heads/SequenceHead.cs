using static TorchSharp.torch;

namespace NerClassify.Heads;

/// <summary>
/// Base of sequence-classification heads: maps a sentence to one logit per class. Derive from it to plug
/// in a head of your own; declare its submodules as fields and call <c>RegisterComponents()</c>.
/// </summary>
internal abstract class SequenceHead : nn.Module<SequenceHeadInput, Tensor>
{
    /// <summary>Creates the head.</summary>
    /// <param name="name">A display name.</param>
    /// <param name="classCount">Number of sentence classes.</param>
    protected SequenceHead(string name, int classCount)
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ClassCount = classCount;
    }

    /// <summary>Number of sentence classes (the logits' last dimension).</summary>
    public int ClassCount { get; }
}
