using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// Hugging Face <c>BertEncoder</c> (renamed here because <see cref="BertEncoder"/> is the whole model):
/// the stack of <see cref="BertLayer"/>s under the key <c>layer</c>.
/// </summary>
internal sealed class BertLayerStack : Module<Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "layer")]
    private readonly ModuleList<BertLayer> _layers;

    public BertLayerStack(BertConfig config)
        : base("BertEncoder")
    {
        _layers = new ModuleList<BertLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config)).ToArray());
        RegisterComponents();
    }

    /// <param name="hidden">[B, T, H]; not disposed.</param>
    /// <param name="additiveMask">[B, 1, 1, T] or null.</param>
    /// <returns>[B, T, H].</returns>
    public override Tensor forward(Tensor hidden, Tensor? additiveMask)
    {
        Tensor current = hidden;
        foreach (BertLayer layer in _layers)
        {
            Tensor next = layer.forward(current, additiveMask);
            if (!ReferenceEquals(current, hidden))
            {
                current.Dispose();
            }

            current = next;
        }

        return current;
    }
}
