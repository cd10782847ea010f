using NerClassify.Configuration;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Heads;

/// <summary>
/// The sentence head of Hugging Face's <c>BertForSequenceClassification</c> and of the report: the
/// <c>[CLS]</c> state through a dense layer with tanh (the encoder's pooler, initialised from the
/// checkpoint), dropout, then a linear layer to the classes (<c>classifier.weight</c>, <c>classifier.bias</c>).
/// When the encoder has no pooler the head brings its own dense + tanh (<c>classifier.pooler</c>). With
/// <see cref="SentencePooling.Mean"/> the mean of the token states replaces the pooled <c>[CLS]</c> state.
/// </summary>
public sealed class SequenceClassificationHead : SequenceHead
{
    [ComponentName(Name = "pooler")]
    private readonly Linear? _pooler;

    [ComponentName(Name = "dropout")]
    private readonly Dropout _dropout;

    [ComponentName(Name = "weight")]
    private readonly Parameter _weight;

    [ComponentName(Name = "bias")]
    private readonly Parameter _bias;

    /// <summary>The head's type name.</summary>
    public const string TypeName = "SequenceClassificationHead";

    /// <summary>Creates a head for <paramref name="classCount"/> classes.</summary>
    /// <param name="inputSize">The encoder's hidden size.</param>
    /// <param name="classCount">Number of sentence classes.</param>
    /// <param name="encoderHasPooler">Whether the encoder supplies the pooled output; if not, the head adds its own.</param>
    /// <param name="dropout">Dropout before the classifier.</param>
    /// <param name="initializerRange">Standard deviation of the initial weights.</param>
    /// <param name="pooling">How the sentence is pooled.</param>
    public SequenceClassificationHead(int inputSize, int classCount, bool encoderHasPooler = true, double dropout = 0.1, double initializerRange = 0.02, SentencePooling pooling = SentencePooling.Cls)
        : base(TypeName, classCount)
    {
        Pooling = pooling;
        _pooler = encoderHasPooler || pooling == SentencePooling.Mean ? null : Linear(inputSize, inputSize);
        _dropout = Dropout(dropout);
        _weight = ParameterFactory.Create(empty(classCount, inputSize));
        _bias = ParameterFactory.Create(zeros(classCount));
        RegisterComponents();
        using (no_grad())
        {
            _weight.normal_(0, initializerRange);
            _pooler?.weight!.normal_(0, initializerRange);
            _pooler?.bias!.zero_();
        }
    }

    /// <summary>How the sentence is pooled.</summary>
    public SentencePooling Pooling { get; }

    /// <summary>Computes sentence logits.</summary>
    /// <param name="input">Token states [B, T, H], the attention mask [B, T] and the pooled output [B, H] (when the encoder has a pooler).</param>
    /// <returns>[B, classes].</returns>
    public override Tensor forward(SequenceHeadInput input)
    {
        if (Pooling == SentencePooling.Mean)
        {
            using Tensor mask = input.AttentionMask.unsqueeze(-1).to_type(input.HiddenStates.dtype); // [B, T, 1]
            using Tensor summed = input.HiddenStates.mul(mask).sum(1); // [B, H]
            using Tensor counts = mask.sum(1).clamp_min(1); // [B, 1]
            using Tensor mean = summed.div_(counts);
            using Tensor droppedMean = _dropout.forward(mean);
            return functional.linear(droppedMean, _weight, _bias);
        }

        using Tensor? first = _pooler is null ? null : input.HiddenStates.select(1, 0); // [B, H]
        using Tensor? pooled = _pooler is null ? null : _pooler.forward(first!).tanh_();
        Tensor summary = pooled ?? input.PooledOutput
            ?? throw new ArgumentException("The encoder gave no pooled output; build the head with encoderHasPooler: false.", nameof(input));
        using Tensor dropped = _dropout.forward(summary);
        return functional.linear(dropped, _weight, _bias);
    }
}
