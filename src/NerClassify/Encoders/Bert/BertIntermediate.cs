using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Encoders.Bert;

/// <summary>Hugging Face <c>BertIntermediate</c>: the feed-forward expansion with exact (erf) GELU.</summary>
internal sealed class BertIntermediate : Module<Tensor, Tensor>
{
    [ComponentName(Name = "dense")]
    private readonly Linear _dense;

    public BertIntermediate(BertConfig config)
        : base("BertIntermediate")
    {
        _dense = Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    /// <param name="hidden">[B, T, H].</param>
    /// <returns>[B, T, intermediate].</returns>
    public override Tensor forward(Tensor hidden)
    {
        using Tensor projected = _dense.forward(hidden);
        return functional.gelu(projected);
    }
}
