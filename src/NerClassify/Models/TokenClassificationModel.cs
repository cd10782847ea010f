using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Heads;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace NerClassify.Models;

/// <summary>
/// Named-entity recognition: Hugging Face's <c>BertForTokenClassification</c> (keys <c>bert.*</c> and
/// <c>classifier.*</c>). The encoder's pooler, if any, is not run.
/// </summary>
public sealed class TokenClassificationModel : TaskModel
{
    [ComponentName(Name = "bert")]
    private readonly nn.Module _bert;

    [ComponentName(Name = "casing_embeddings")]
    private readonly TorchSharp.Modules.Embedding? _casingEmbeddings;

    [ComponentName(Name = "character_encoder")]
    private readonly CharacterEncoder? _characterEncoder;

    [ComponentName(Name = "classifier")]
    private readonly TokenHead _classifier;

    /// <summary>Creates the model over <paramref name="encoder"/>, which it then owns.</summary>
    /// <param name="encoder">The encoder; must be an <c>nn.Module</c>.</param>
    /// <param name="labels">Token label names in id order.</param>
    /// <param name="head">A head of your own, or null for <see cref="TokenClassificationHead"/> with <paramref name="headOptions"/>.</param>
    /// <param name="headOptions">Options of the default head; its casing input and character features apply to any head.</param>
    /// <exception cref="ArgumentException">The encoder is not an <c>nn.Module</c>, or the head's label count differs from the labels'.</exception>
    public TokenClassificationModel(IEncoder encoder, IReadOnlyList<string> labels, TokenHead? head = null, TokenHeadOptions? headOptions = null)
        : base("BertForTokenClassification", labels ?? throw new ArgumentNullException(nameof(labels)), null)
    {
        _bert = AsModule(encoder);
        _casingEmbeddings = CasingInputEmbedding(encoder, headOptions);
        _characterEncoder = CharacterInputEncoder(encoder, headOptions);
        _classifier = head ?? DefaultTokenHead(encoder, labels.Count, headOptions);
        if (_classifier.LabelCount != labels.Count)
        {
            throw new ArgumentException($"The head predicts {_classifier.LabelCount} labels but {labels.Count} label names were given.", nameof(head));
        }

        RegisterComponents();
    }

    /// <inheritdoc />
    public override TaskKind Kind => TaskKind.Token;

    /// <inheritdoc />
    public override IEncoder Encoder => (IEncoder)_bert;

    /// <inheritdoc />
    public override IReadOnlyList<string> HeadKeys { get; } = ["classifier"];

    /// <summary>The token head.</summary>
    public TokenHead Head => _classifier;

    /// <inheritdoc />
    public override TokenHead TokenHead => _classifier;

    /// <inheritdoc />
    private protected override bool HasCasingInput => _casingEmbeddings is not null;

    /// <inheritdoc />
    public override bool UsesCasing => _classifier.UsesCasing || _casingEmbeddings is not null;

    /// <inheritdoc />
    public override bool UsesCharacters => _characterEncoder is not null;

    /// <inheritdoc />
    internal override TaskOutputs Forward(ModelInputs inputs, IEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        EncoderOutput encoded = encoder.Encode(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds, pool: false, extraEmbeddings: InputFeatures(_casingEmbeddings, _characterEncoder, inputs));
        return new TaskOutputs(_classifier.forward(new TokenHeadInput(encoded.LastHiddenState, inputs.CasingIds)), null);
    }

    /// <inheritdoc />
    public override TaskLoss ComputeLoss(TaskOutputs outputs, Tensor? tokenLabels, Tensor? sequenceLabels)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        Tensor? token = TokenLoss(outputs.TokenLogits, tokenLabels, _classifier.Crf);
        return new TaskLoss(token ?? zeros(1).sum(), token, null);
    }
}
