using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// Hugging Face <c>BertSelfOutput</c> and <c>BertOutput</c> (same structure): dense projection, dropout,
/// residual add, LayerNorm.
/// </summary>
internal sealed class BertResidualOutput : Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "dense")]
    private readonly Linear _dense;

    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm _layerNorm;

    [ComponentName(Name = "dropout")]
    private readonly Dropout _dropout;

    public BertResidualOutput(long inputSize, BertConfig config)
        : base("BertResidualOutput")
    {
        _dense = Linear(inputSize, config.HiddenSize);
        _layerNorm = LayerNorm(config.HiddenSize, config.LayerNormEps);
        _dropout = Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <param name="hidden">[B, T, inputSize]: the sub-layer's output.</param>
    /// <param name="residual">[B, T, H]: the sub-layer's input.</param>
    /// <returns>[B, T, H].</returns>
    public override Tensor forward(Tensor hidden, Tensor residual)
    {
        using Tensor projected = _dense.forward(hidden);
        using Tensor dropped = _dropout.forward(projected);
        using Tensor sum = dropped.add(residual);
        return _layerNorm.forward(sum);
    }
}
