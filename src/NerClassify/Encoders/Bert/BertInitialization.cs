using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NerClassify.Encoders.Bert;

/// <summary>Hugging Face's <c>_init_weights</c> for BERT-family modules.</summary>
internal static class BertInitialization
{
    /// <summary>
    /// Linear and embedding weights from N(0, std²), biases zero, LayerNorm weight one and bias zero,
    /// the padding embedding row zero.
    /// </summary>
    public static void Initialize(nn.Module module, double std, long? paddingIndex = null)
    {
        using var noGrad = no_grad();
        foreach ((string _, nn.Module child) in module.named_modules())
        {
            switch (child)
            {
                case Linear linear:
                    linear.weight!.normal_(0, std);
                    linear.bias?.zero_();
                    break;
                case Embedding embedding:
                    embedding.weight!.normal_(0, std);
                    break;
                case LayerNorm layerNorm:
                    layerNorm.weight!.fill_(1);
                    layerNorm.bias!.zero_();
                    break;
            }
        }

        if (paddingIndex is { } pad && module is BertEncoder encoder)
        {
            encoder.ZeroPaddingEmbedding(pad);
        }
    }
}
