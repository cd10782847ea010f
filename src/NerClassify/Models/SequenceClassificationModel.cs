using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Heads;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace NerClassify.Models;

/// <summary>
/// Sentence classification: Hugging Face's <c>BertForSequenceClassification</c> (keys <c>bert.*</c>, with the
/// pooler, and <c>classifier.*</c>).
/// </summary>
public sealed class SequenceClassificationModel : TaskModel
{
    [ComponentName(Name = "bert")]
    private readonly nn.Module _bert;

    [ComponentName(Name = "classifier")]
    private readonly SequenceHead _classifier;

    /// <summary>Creates the model over <paramref name="encoder"/>, which it then owns.</summary>
    /// <param name="encoder">The encoder; must be an <c>nn.Module</c>.</param>
    /// <param name="labels">Sentence class names in id order.</param>
    /// <param name="head">A head of your own, or null for <see cref="SequenceClassificationHead"/>.</param>
    /// <param name="pooling">Pooling of the default head.</param>
    /// <exception cref="ArgumentException">The encoder is not an <c>nn.Module</c>, or the head's class count differs from the labels'.</exception>
    public SequenceClassificationModel(IEncoder encoder, IReadOnlyList<string> labels, SequenceHead? head = null, SentencePooling pooling = SentencePooling.Cls)
        : base("BertForSequenceClassification", null, labels ?? throw new ArgumentNullException(nameof(labels)))
    {
        _bert = AsModule(encoder);
        _classifier = head ?? DefaultSequenceHead(encoder, labels.Count, pooling);
        if (_classifier.ClassCount != labels.Count)
        {
            throw new ArgumentException($"The head predicts {_classifier.ClassCount} classes but {labels.Count} class names were given.", nameof(head));
        }

        RegisterComponents();
    }

    /// <inheritdoc />
    public override TaskKind Kind => TaskKind.Sequence;

    /// <inheritdoc />
    public override IEncoder Encoder => (IEncoder)_bert;

    /// <inheritdoc />
    public override IReadOnlyList<string> HeadKeys { get; } = ["classifier"];

    /// <summary>The sequence head.</summary>
    public SequenceHead Head => _classifier;

    /// <inheritdoc />
    public override SequenceHead SequenceHead => _classifier;

    /// <inheritdoc />
    internal override TaskOutputs Forward(ModelInputs inputs, IEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        EncoderOutput encoded = encoder.Encode(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds);
        return new TaskOutputs(null, _classifier.forward(new SequenceHeadInput(encoded.LastHiddenState, inputs.AttentionMask, encoded.PooledOutput)));
    }

    /// <inheritdoc />
    public override TaskLoss ComputeLoss(TaskOutputs outputs, Tensor? tokenLabels, Tensor? sequenceLabels)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        Tensor? sequence = CrossEntropy(outputs.SequenceLogits, sequenceLabels);
        return new TaskLoss(sequence ?? zeros(1).sum(), null, sequence);
    }
}
