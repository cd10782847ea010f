using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Encoders.Bert;

/// <summary>Hugging Face <c>BertAttention</c>: self-attention followed by its output projection and residual LayerNorm.</summary>
internal sealed class BertAttention : Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "self")]
    private readonly BertSelfAttention _self;

    [ComponentName(Name = "output")]
    private readonly BertResidualOutput _output;

    public BertAttention(BertConfig config)
        : base("BertAttention")
    {
        _self = new BertSelfAttention(config);
        _output = new BertResidualOutput(config.HiddenSize, config);
        RegisterComponents();
    }

    /// <param name="hidden">[B, T, H].</param>
    /// <param name="additiveMask">[B, 1, 1, T] or null.</param>
    /// <returns>[B, T, H].</returns>
    public override Tensor forward(Tensor hidden, Tensor? additiveMask)
    {
        using Tensor attended = _self.forward(hidden, additiveMask);
        return _output.forward(attended, hidden);
    }
}
