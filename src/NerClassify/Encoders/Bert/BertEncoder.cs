using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// A BERT encoder equal to Hugging Face's <c>BertModel</c>: the same modules, parameter names and
/// shapes (<c>embeddings.*</c>, <c>encoder.layer.{i}.*</c>, <c>pooler.dense.*</c>), exact GELU, the
/// configured LayerNorm epsilon and scaled dot-product attention with an additive mask, so that
/// Hugging Face checkpoints load unchanged and give the same numbers. Built from a configuration whose
/// <see cref="BertConfig.ModelType"/> is <c>roberta</c> or <c>xlm-roberta</c>, it is <c>RobertaModel</c> /
/// <c>XLMRobertaModel</c>, which differ only in their position ids (see <see cref="BertConfig.ModelType"/>).
/// </summary>
/// <remarks>
/// Create one with <see cref="PretrainedEncoder.Load(string, EncoderLoadOptions?)"/>, from ONNX with
/// <see cref="PretrainedEncoder.FromOnnx"/>, or randomly initialised with the constructor.
/// Call <c>eval()</c> for inference; run it inside a dispose scope owned by the caller.
/// </remarks>
public sealed class BertEncoder : nn.Module, IEncoder
{
    [ComponentName(Name = "embeddings")]
    private readonly BertEmbeddings _embeddings;

    [ComponentName(Name = "encoder")]
    private readonly BertLayerStack _encoder;

    [ComponentName(Name = "pooler")]
    private readonly BertPooler? _pooler;

    /// <summary>Builds a randomly initialised encoder (Hugging Face's initialisation).</summary>
    /// <param name="config">The encoder's shape; validated.</param>
    /// <param name="addPooler">Whether to include the pooler (task models for tokens leave it out, as Hugging Face does).</param>
    public BertEncoder(BertConfig config, bool addPooler = true)
        : base("BertModel")
    {
        ArgumentNullException.ThrowIfNull(config);
        Native.TorchSharpNativeCompatibility.EnsureLoadableUnlessDisabled();
        Config = config.Validate();
        _embeddings = new BertEmbeddings(config);
        _encoder = new BertLayerStack(config);
        _pooler = addPooler ? new BertPooler(config) : null;
        RegisterComponents();
        BertInitialization.Initialize(this, config.InitializerRange, config.PadTokenId);
    }

    /// <inheritdoc />
    public BertConfig Config { get; }

    /// <inheritdoc />
    public int HiddenSize => Config.HiddenSize;

    /// <inheritdoc />
    public bool HasPooler => _pooler is not null;

    /// <inheritdoc />
    EncoderOutput IEncoder.Encode(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds, bool pool, Tensor? extraEmbeddings) =>
        Encode(inputIds, attentionMask, tokenTypeIds, pool, extraEmbeddings);

    /// <inheritdoc cref="IEncoder.Encode"/>
    internal EncoderOutput Encode(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds = null, bool pool = true, Tensor? extraEmbeddings = null)
    {
        ArgumentNullException.ThrowIfNull(attentionMask);
        CheckInputs(inputIds);
        ScalarType dtype = _embeddings.parameters().First().dtype;
        using Tensor? additiveMask = AdditiveMask(attentionMask, dtype);
        using Tensor embedded = Embed(inputIds, tokenTypeIds, extraEmbeddings);
        Tensor hidden = _encoder.forward(embedded, additiveMask);
        return new EncoderOutput(hidden, pool ? Pool(hidden) : null);
    }

    /// <summary>Throws when <paramref name="inputIds"/> is not [batch, tokens] or has more tokens than the encoder has positions.</summary>
    internal void CheckInputs(Tensor inputIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2)
        {
            throw new ArgumentException($"input ids must be [batch, tokens]; got [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        }

        if (inputIds.shape[1] > Config.MaxTokens)
        {
            throw new ArgumentException($"{inputIds.shape[1]} tokens exceed the encoder's {Config.MaxTokens} positions; split the input into windows.", nameof(inputIds));
        }
    }

    /// <summary>The embeddings module's output [B, T, H] (token types all zero when <paramref name="tokenTypeIds"/> is null).</summary>
    internal Tensor Embed(Tensor inputIds, Tensor? tokenTypeIds, Tensor? extraEmbeddings)
    {
        using Tensor zeros = tokenTypeIds is null ? zeros_like(inputIds) : empty(0);
        return _embeddings.forward(inputIds, tokenTypeIds ?? zeros, extraEmbeddings);
    }

    /// <summary>The pooler's output [B, H] for the last hidden state, or null when the encoder has no pooler.</summary>
    internal Tensor? Pool(Tensor hidden) => _pooler?.forward(hidden);

    /// <summary>Sets the padding token's embedding row to zero, and for RoBERTa the padding position's (as Hugging Face initialises them).</summary>
    internal void ZeroPaddingEmbedding(long paddingIndex)
    {
        using var noGrad = no_grad();
        Tensor weight = get_parameter("embeddings.word_embeddings.weight")!;
        weight[paddingIndex].zero_();
        if (Config.PositionOffset > 0)
        {
            get_parameter("embeddings.position_embeddings.weight")![paddingIndex].zero_();
        }
    }

    /// <summary>
    /// Turns a [B, T] 0/1 mask into the additive [B, 1, 1, T] mask attention expects, built once per
    /// forward; null when nothing is masked, which lets attention take its unmasked fast path.
    /// </summary>
    internal static Tensor? AdditiveMask(Tensor attentionMask, ScalarType dtype)
    {
        if (attentionMask.dim() != 2)
        {
            throw new ArgumentException($"attention mask must be [batch, tokens]; got [{string.Join(", ", attentionMask.shape)}].", nameof(attentionMask));
        }

        using Tensor isPadding = attentionMask.eq(0); // [B, T]
        if (!isPadding.any().item<bool>())
        {
            return null;
        }

        double lowest = dtype == ScalarType.Float64 ? double.MinValue : dtype == ScalarType.Float16 ? -65504.0 : float.MinValue;
        using Tensor mask = zeros(isPadding.shape, dtype, attentionMask.device).masked_fill_(isPadding, lowest);
        return mask.view(attentionMask.shape[0], 1, 1, attentionMask.shape[1]);
    }
}
