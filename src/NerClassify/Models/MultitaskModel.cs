using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Heads;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace NerClassify.Models;

/// <summary>
/// Token and sentence classification in one forward pass: one encoder (<c>bert.*</c>, with pooler) feeding
/// <c>token_classifier.*</c> and <c>sequence_classifier.*</c>, trained on
/// <c>alpha * L_sequence + beta * L_token</c> or on learned weights (<c>loss_log_variances</c>).
/// </summary>
public sealed class MultitaskModel : TaskModel
{
    [ComponentName(Name = "bert")]
    private readonly nn.Module _bert;

    [ComponentName(Name = "casing_embeddings")]
    private readonly TorchSharp.Modules.Embedding? _casingEmbeddings;

    [ComponentName(Name = "character_encoder")]
    private readonly CharacterEncoder? _characterEncoder;

    [ComponentName(Name = "token_classifier")]
    private readonly TokenHead _tokenClassifier;

    [ComponentName(Name = "sequence_classifier")]
    private readonly SequenceHead _sequenceClassifier;

    [ComponentName(Name = "loss_log_variances")]
    private readonly Parameter? _logVariances;

    /// <summary>Creates the model over <paramref name="encoder"/>, which it then owns.</summary>
    /// <param name="encoder">The encoder; must be an <c>nn.Module</c>.</param>
    /// <param name="tokenLabels">Token label names in id order.</param>
    /// <param name="sequenceLabels">Sentence class names in id order.</param>
    /// <param name="loss">Loss weighting; default alpha = 1, beta = 7.</param>
    /// <param name="tokenHead">A token head of your own, or null for the default.</param>
    /// <param name="sequenceHead">A sequence head of your own, or null for the default.</param>
    /// <param name="tokenHeadOptions">Options of the default token head.</param>
    /// <param name="sentencePooling">Pooling of the default sequence head.</param>
    /// <exception cref="ArgumentException">The encoder is not an <c>nn.Module</c>, or a head's output count differs from its labels'.</exception>
    public MultitaskModel(
        IEncoder encoder,
        IReadOnlyList<string> tokenLabels,
        IReadOnlyList<string> sequenceLabels,
        MultitaskLossOptions? loss = null,
        TokenHead? tokenHead = null,
        SequenceHead? sequenceHead = null,
        TokenHeadOptions? tokenHeadOptions = null,
        SentencePooling sentencePooling = SentencePooling.Cls)
        : base("BertForMultitaskClassification", tokenLabels ?? throw new ArgumentNullException(nameof(tokenLabels)), sequenceLabels ?? throw new ArgumentNullException(nameof(sequenceLabels)))
    {
        Loss = (loss ?? new MultitaskLossOptions()).Validate();
        _bert = AsModule(encoder);
        _casingEmbeddings = CasingInputEmbedding(encoder, tokenHeadOptions);
        _characterEncoder = CharacterInputEncoder(encoder, tokenHeadOptions);
        _tokenClassifier = tokenHead ?? DefaultTokenHead(encoder, tokenLabels.Count, tokenHeadOptions);
        _sequenceClassifier = sequenceHead ?? DefaultSequenceHead(encoder, sequenceLabels.Count, sentencePooling);
        if (_tokenClassifier.LabelCount != tokenLabels.Count)
        {
            throw new ArgumentException($"The token head predicts {_tokenClassifier.LabelCount} labels but {tokenLabels.Count} label names were given.", nameof(tokenHead));
        }

        if (_sequenceClassifier.ClassCount != sequenceLabels.Count)
        {
            throw new ArgumentException($"The sequence head predicts {_sequenceClassifier.ClassCount} classes but {sequenceLabels.Count} class names were given.", nameof(sequenceHead));
        }

        _logVariances = Loss.Weighting == LossWeighting.Uncertainty ? Heads.ParameterFactory.Create(zeros(2)) : null;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override TaskKind Kind => TaskKind.Multitask;

    /// <inheritdoc />
    public override IEncoder Encoder => (IEncoder)_bert;

    /// <summary>The loss weighting.</summary>
    public MultitaskLossOptions Loss { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> HeadKeys { get; } = ["token_classifier", "sequence_classifier"];

    /// <inheritdoc />
    public override TokenHead TokenHead => _tokenClassifier;

    /// <inheritdoc />
    public override SequenceHead SequenceHead => _sequenceClassifier;

    /// <inheritdoc />
    private protected override bool HasCasingInput => _casingEmbeddings is not null;

    /// <inheritdoc />
    public override bool UsesCasing => _tokenClassifier.UsesCasing || _casingEmbeddings is not null;

    /// <inheritdoc />
    public override bool UsesCharacters => _characterEncoder is not null;

    /// <inheritdoc />
    internal override (double Sequence, double Token)? CurrentLossWeights() => CurrentWeights();

    /// <inheritdoc />
    private protected override ModelConfig DescribeParts() => base.DescribeParts() with { Loss = Loss };

    /// <summary>The current effective weights (alpha for sentences, beta for tokens): fixed, or exp(-s)/2 under learned weighting.</summary>
    /// <returns>The sentence and token loss weights.</returns>
    public (double Sequence, double Token) CurrentWeights()
    {
        if (_logVariances is null)
        {
            return (Loss.SequenceWeight, Loss.TokenWeight);
        }

        using var noGrad = no_grad();
        float[] s = _logVariances.data<float>().ToArray();
        return (0.5 * Math.Exp(-s[0]), 0.5 * Math.Exp(-s[1]));
    }

    /// <inheritdoc />
    internal override TaskOutputs Forward(ModelInputs inputs, IEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        EncoderOutput encoded = encoder.Encode(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds, extraEmbeddings: InputFeatures(_casingEmbeddings, _characterEncoder, inputs));
        Tensor tokens = _tokenClassifier.forward(new TokenHeadInput(encoded.LastHiddenState, inputs.CasingIds));
        Tensor sequences = _sequenceClassifier.forward(new SequenceHeadInput(encoded.LastHiddenState, inputs.AttentionMask, encoded.PooledOutput));
        return new TaskOutputs(tokens, sequences);
    }

    /// <inheritdoc />
    public override TaskLoss ComputeLoss(TaskOutputs outputs, Tensor? tokenLabels, Tensor? sequenceLabels)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        Tensor? token = TokenLoss(outputs.TokenLogits, tokenLabels, _tokenClassifier.Crf);
        Tensor? sequence = CrossEntropy(outputs.SequenceLogits, sequenceLabels);
        Tensor total = zeros(1, device: outputs.TokenLogits!.device).sum();
        if (_logVariances is null)
        {
            if (sequence is not null && Loss.SequenceWeight != 0)
            {
                total = total.add(sequence.mul(Loss.SequenceWeight));
            }

            if (token is not null && Loss.TokenWeight != 0)
            {
                total = total.add(token.mul(Loss.TokenWeight));
            }
        }
        else
        {
            if (sequence is not null)
            {
                total = total.add(Uncertain(sequence, 0));
            }

            if (token is not null)
            {
                total = total.add(Uncertain(token, 1));
            }
        }

        return new TaskLoss(total, token, sequence);
    }

    private Tensor Uncertain(Tensor loss, int task)
    {
        Tensor s = _logVariances![task];
        return s.neg().exp().mul(loss).add(s).mul(0.5);
    }
}
