using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// Hugging Face <c>BertEmbeddings</c>: word, position and token-type embeddings, summed, then
/// LayerNorm and dropout. Position ids are computed (0..T-1), not stored as a buffer. For RoBERTa
/// (<see cref="BertConfig.PositionOffset"/> above 0) this is <c>RobertaEmbeddings</c>: position ids count the
/// non-padding tokens from <c>pad_token_id + 1</c> and padding tokens take <c>pad_token_id</c>.
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

    private readonly long _positionOffset;
    private readonly long _padTokenId;

    public BertEmbeddings(BertConfig config)
        : base("BertEmbeddings")
    {
        _positionOffset = config.PositionOffset;
        _padTokenId = config.PadTokenId;
        _wordEmbeddings = Embedding(config.VocabSize, config.HiddenSize, padding_idx: config.PadTokenId);
        _positionEmbeddings = _positionOffset == 0
            ? Embedding(config.MaxPositionEmbeddings, config.HiddenSize)
            : Embedding(config.MaxPositionEmbeddings, config.HiddenSize, padding_idx: config.PadTokenId); // as RobertaEmbeddings
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
        using Tensor positions = PositionIds(inputIds); // [T], or [B, T] for RoBERTa
        using Tensor words = _wordEmbeddings.forward(inputIds); // [B, T, H]
        using Tensor positional = _positionEmbeddings.forward(positions); // [T, H] broadcast over B, or [B, T, H]
        using Tensor types = _tokenTypeEmbeddings.forward(tokenTypeIds);
        using Tensor sum = words.add(types).add_(positional);
        if (extraEmbeddings is not null)
        {
            sum.add_(extraEmbeddings);
        }

        using Tensor normed = _layerNorm.forward(sum);
        return _dropout.forward(normed);
    }

    /// <summary>
    /// 0..T-1 for BERT. For RoBERTa, Hugging Face's <c>create_position_ids_from_input_ids</c>: the running count of
    /// non-padding tokens, plus <c>pad_token_id</c>, on non-padding tokens; <c>pad_token_id</c> on padding tokens.
    /// </summary>
    private Tensor PositionIds(Tensor inputIds)
    {
        if (_positionOffset == 0)
        {
            return arange(inputIds.shape[1], dtype: ScalarType.Int64, device: inputIds.device);
        }

        using Tensor isToken = inputIds.ne(_padTokenId).to_type(ScalarType.Int64); // [B, T]
        using Tensor counted = isToken.cumsum(1);
        counted.mul_(isToken);
        return counted.add(_padTokenId);
    }
}
