using NerClassify.Configuration;
using NerClassify.Tokenization;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Models;

/// <summary>
/// Character features of words (<see cref="TokenHeadOptions.CharacterFeatures"/>), in the manner of the character
/// CNNs of Ma and Hovy and of Flair: each char of a word is embedded, a width-3 convolution with ReLU runs over the
/// word, the maximum over its chars gives one vector, and a bias-free linear projection, initialised to zero, maps it
/// to the encoder's hidden size. A word of padding only (special tokens, padding) gets zeros.
/// Keys: <c>embeddings.weight</c>, <c>convolution.weight</c>, <c>convolution.bias</c>, <c>projection.weight</c>.
/// </summary>
internal sealed class CharacterEncoder : Module<Tensor, Tensor>
{
    /// <summary>The width of a char embedding.</summary>
    public const int EmbeddingSize = 32;

    /// <summary>The number of convolution filters.</summary>
    public const int FilterCount = 64;

    /// <summary>The convolution's width in chars.</summary>
    public const int KernelSize = 3;

    [ComponentName(Name = "embeddings")]
    private readonly Embedding _embeddings;

    [ComponentName(Name = "convolution")]
    private readonly Conv1d _convolution;

    [ComponentName(Name = "projection")]
    private readonly Linear _projection;

    /// <summary>Creates the encoder for states of width <paramref name="hiddenSize"/>.</summary>
    public CharacterEncoder(int hiddenSize)
        : base("CharacterEncoder")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        _embeddings = Embedding(WordCharacters.Count, EmbeddingSize, padding_idx: 0);
        _convolution = Conv1d(EmbeddingSize, FilterCount, KernelSize, padding: KernelSize / 2);
        _projection = Linear(FilterCount, hiddenSize, hasBias: false);
        using (no_grad())
        {
            // Zero, so that a new model computes exactly what its pretrained encoder does.
            _projection.weight!.zero_();
        }

        RegisterComponents();
    }

    /// <param name="characterIds">[B, T, W] character ids (<see cref="WordCharacters"/>), 0 for padding.</param>
    /// <returns>[B, T, H], to add to the encoder's input embeddings.</returns>
    public override Tensor forward(Tensor characterIds)
    {
        long batch = characterIds.shape[0], length = characterIds.shape[1], width = characterIds.shape[2];
        using Tensor flat = characterIds.reshape(batch * length, width); // [N, W]
        using Tensor embedded = _embeddings.forward(flat); // [N, W, E]
        using Tensor channels = embedded.transpose(1, 2); // [N, E, W]
        using Tensor convolved = _convolution.forward(channels); // [N, F, W]
        using Tensor activated = functional.relu(convolved);

        // ReLU outputs are >= 0, so zeroing padded chars leaves the maximum over the real ones (and 0 for none).
        using Tensor present = flat.gt(0).unsqueeze(1).to_type(activated.dtype); // [N, 1, W]
        using Tensor masked = activated.mul(present);
        using Tensor pooled = masked.amax(2); // [N, F]
        using Tensor projected = _projection.forward(pooled); // [N, H]
        return projected.reshape(batch, length, -1);
    }
}
