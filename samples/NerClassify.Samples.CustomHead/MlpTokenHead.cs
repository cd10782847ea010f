using NerClassify.Heads;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Samples.CustomHead;

/// <summary>
/// A token head of our own: a two-layer perceptron over every token state (dense, GELU, dropout, dense), instead of
/// the library's dropout + linear. Keys below the model's <c>token_classifier</c>: <c>hidden.*</c>, <c>output.*</c>.
/// </summary>
internal sealed class MlpTokenHead : TokenHead
{
    /// <summary>The name config.json records and the <see cref="HeadRegistry"/> builds it by.</summary>
    public const string TypeName = "samples.mlp-token-head";

    [ComponentName(Name = "hidden")]
    private readonly Linear _hidden;

    [ComponentName(Name = "dropout")]
    private readonly Dropout _dropout;

    [ComponentName(Name = "output")]
    private readonly Linear _output;

    public MlpTokenHead(int inputSize, int labelCount, int hiddenSize = 64, double dropout = 0.1)
        : base(TypeName, labelCount)
    {
        _hidden = Linear(inputSize, hiddenSize);
        _dropout = Dropout(dropout);
        _output = Linear(hiddenSize, labelCount);
        RegisterComponents();
    }

    public override Tensor forward(TokenHeadInput input)
    {
        using Tensor hidden = functional.gelu(_hidden.forward(input.HiddenStates)); // [B, T, hidden]
        using Tensor dropped = _dropout.forward(hidden);
        return _output.forward(dropped); // [B, T, labels]
    }
}
