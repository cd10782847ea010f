using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Encoders.Bert;

/// <summary>Hugging Face <c>BertPooler</c>: the first (<c>[CLS]</c>) token's state through a dense layer and tanh.</summary>
internal sealed class BertPooler : Module<Tensor, Tensor>
{
    [ComponentName(Name = "dense")]
    private readonly Linear _dense;

    public BertPooler(BertConfig config)
        : base("BertPooler")
    {
        _dense = Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <param name="hidden">[B, T, H].</param>
    /// <returns>[B, H].</returns>
    public override Tensor forward(Tensor hidden)
    {
        using Tensor first = hidden.select(1, 0); // [B, H]
        using Tensor projected = _dense.forward(first);
        return projected.tanh();
    }
}
