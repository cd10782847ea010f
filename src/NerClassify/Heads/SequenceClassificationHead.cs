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
/// When the encoder has no pooler the head brings its own dense + tanh (<c>classifier.pooler</c>).
/// </summary>
internal sealed class SequenceClassificationHead : SequenceHead
{
    [ComponentName(Name = "pooler")]
    private readonly Linear? _pooler;

    [ComponentName(Name = "dropout")]
    private readonly Dropout _dropout;

    [ComponentName(Name = "weight")]
    private readonly Parameter _weight;

    [ComponentName(Name = "bias")]
    private readonly Parameter _bias;

    /// <summary>Creates a head for <paramref name="classCount"/> classes.</summary>
    /// <param name="inputSize">The encoder's hidden size.</param>
    /// <param name="classCount">Number of sentence classes.</param>
    /// <param name="encoderHasPooler">Whether the encoder supplies the pooled output; if not, the head adds its own.</param>
    /// <param name="dropout">Dropout before the classifier.</param>
    /// <param name="initializerRange">Standard deviation of the initial weights.</param>
    public SequenceClassificationHead(int inputSize, int classCount, bool encoderHasPooler = true, double dropout = 0.1, double initializerRange = 0.02)
        : base("SequenceClassificationHead", classCount)
    {
        _pooler = encoderHasPooler ? null : Linear(inputSize, inputSize);
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

    /// <summary>Computes sentence logits.</summary>
    /// <param name="input">Token states [B, T, H] and the pooled output [B, H] (when the encoder has a pooler).</param>
    /// <returns>[B, classes].</returns>
    public override Tensor forward(SequenceHeadInput input)
    {
        using Tensor? first = _pooler is null ? null : input.HiddenStates.select(1, 0); // [B, H]
        using Tensor? pooled = _pooler is null ? null : _pooler.forward(first!).tanh_();
        Tensor summary = pooled ?? input.PooledOutput
            ?? throw new ArgumentException("The encoder gave no pooled output; build the head with encoderHasPooler: false.", nameof(input));
        using Tensor dropped = _dropout.forward(summary);
        return functional.linear(dropped, _weight, _bias);
    }
}
