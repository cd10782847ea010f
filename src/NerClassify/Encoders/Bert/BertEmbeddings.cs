using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// Hugging Face <c>BertEmbeddings</c>: word, position and token-type embeddings, summed, then
/// LayerNorm and dropout. Position ids are computed (0..T-1), not stored as a buffer.
/// </summary>
internal sealed class BertEmbeddings : Module<Tensor, Tensor, Tensor?, Tensor>
{
    [ComponentName(Name = "word_embeddings")]
    private readonly Embedding _wordEmbeddings;

    [ComponentName(Name = "position_embeddings")]
    private readonly Embedding _positionEmbeddings;

    [ComponentName(Name = "token_type_embeddings")]
    private readonly Embedding _tokenTypeEmbeddings;

    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm _layerNorm;

    [ComponentName(Name = "dropout")]
    private readonly Dropout _dropout;

    public BertEmbeddings(BertConfig config)
        : base("BertEmbeddings")
    {
        _wordEmbeddings = Embedding(config.VocabSize, config.HiddenSize, padding_idx: config.PadTokenId);
        _positionEmbeddings = Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        _tokenTypeEmbeddings = Embedding(config.TypeVocabSize, config.HiddenSize);
        _layerNorm = LayerNorm(config.HiddenSize, config.LayerNormEps);
        _dropout = Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <param name="inputIds">[B, T] token ids.</param>
    /// <param name="tokenTypeIds">[B, T] segment ids.</param>
    /// <param name="extraEmbeddings">[B, T, H] added to the sum before LayerNorm, or null.</param>
    /// <returns>[B, T, H].</returns>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds, Tensor? extraEmbeddings)
    {
        long length = inputIds.shape[1];
        using Tensor positions = arange(length, dtype: ScalarType.Int64, device: inputIds.device); // [T]
        using Tensor words = _wordEmbeddings.forward(inputIds); // [B, T, H]
        using Tensor positional = _positionEmbeddings.forward(positions); // [T, H], broadcast over B
        using Tensor types = _tokenTypeEmbeddings.forward(tokenTypeIds);
        using Tensor sum = words.add(types).add_(positional);
        if (extraEmbeddings is not null)
        {
            sum.add_(extraEmbeddings);
        }

        using Tensor normed = _layerNorm.forward(sum);
        return _dropout.forward(normed);
    }
}
