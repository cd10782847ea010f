using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Encoders.Bert;

/// <summary>Hugging Face <c>BertLayer</c>: attention, then the feed-forward block, each with a residual LayerNorm.</summary>
internal sealed class BertLayer : Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "attention")]
    private readonly BertAttention _attention;

    [ComponentName(Name = "intermediate")]
    private readonly BertIntermediate _intermediate;

    [ComponentName(Name = "output")]
    private readonly BertResidualOutput _output;

    public BertLayer(BertConfig config)
        : base("BertLayer")
    {
        _attention = new BertAttention(config);
        _intermediate = new BertIntermediate(config);
        _output = new BertResidualOutput(config.IntermediateSize, config);
        RegisterComponents();
    }

    /// <param name="hidden">[B, T, H].</param>
    /// <param name="additiveMask">[B, 1, 1, T] or null.</param>
    /// <returns>[B, T, H].</returns>
    public override Tensor forward(Tensor hidden, Tensor? additiveMask)
    {
        using Tensor attended = _attention.forward(hidden, additiveMask);
        using Tensor expanded = _intermediate.forward(attended);
        return _output.forward(expanded, attended);
    }
}
