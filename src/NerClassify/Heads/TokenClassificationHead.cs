using NerClassify.Configuration;
using NerClassify.Tokenization;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NerClassify.Heads;

/// <summary>
/// The token head of Hugging Face's <c>BertForTokenClassification</c>: dropout, then a linear layer per
/// token (<c>classifier.weight</c>, <c>classifier.bias</c>). Optionally, as the report describes, a hidden
/// feed-forward layer first, and a casing embedding concatenated to each token state.
/// </summary>
public sealed class TokenClassificationHead : TokenHead
{
    [ComponentName(Name = "casing_embeddings")]
    private readonly Embedding? _casing;

    [ComponentName(Name = "dropout")]
    private readonly Dropout _dropout;

    [ComponentName(Name = "hidden")]
    private readonly Linear? _hidden;

    [ComponentName(Name = "weight")]
    private readonly Parameter _weight;

    [ComponentName(Name = "bias")]
    private readonly Parameter _bias;

    // Declared last, so a head without a CRF keeps exactly the keys it always had.
    [ComponentName(Name = "crf")]
    private readonly LinearChainCrf? _crf;

    /// <summary>The head's type name.</summary>
    public const string TypeName = "TokenClassificationHead";

    /// <summary>Creates a head for <paramref name="labelCount"/> labels over states of width <paramref name="inputSize"/>.</summary>
    /// <param name="inputSize">The encoder's hidden size.</param>
    /// <param name="labelCount">Number of token labels.</param>
    /// <param name="options">Hidden layer, casing embedding, dropout, CRF.</param>
    /// <param name="defaultDropout">Dropout when <paramref name="options"/> leaves it unset.</param>
    /// <param name="initializerRange">Standard deviation of the initial weights.</param>
    public TokenClassificationHead(int inputSize, int labelCount, TokenHeadOptions? options = null, double defaultDropout = 0.1, double initializerRange = 0.02)
        : base(TypeName, labelCount)
    {
        Options = (options ?? new TokenHeadOptions()).Validate();
        int width = inputSize;
        if (Options.CasingEmbeddingSize > 0)
        {
            _casing = Embedding(WordCasings.Count, Options.CasingEmbeddingSize);
            width += Options.CasingEmbeddingSize;
        }

        _dropout = Dropout(Options.Dropout ?? defaultDropout);
        if (Options.HiddenLayerSize > 0)
        {
            _hidden = Linear(width, Options.HiddenLayerSize);
            width = Options.HiddenLayerSize;
        }

        // Parameters rather than a Linear child, so the keys are classifier.weight / classifier.bias as in Hugging Face.
        _weight = ParameterFactory.Create(empty(labelCount, width));
        _bias = ParameterFactory.Create(zeros(labelCount));
        _crf = Options.Crf ? new LinearChainCrf(labelCount) : null;
        RegisterComponents();
        using (no_grad())
        {
            _weight.normal_(0, initializerRange);
            _casing?.weight!.normal_(0, initializerRange);
            _hidden?.weight!.normal_(0, initializerRange);
            _hidden?.bias!.zero_();
        }
    }

    /// <summary>The head's shape.</summary>
    public TokenHeadOptions Options { get; }

    /// <inheritdoc />
    internal override LinearChainCrf? Crf => _crf;

    /// <inheritdoc />
    public override bool UsesCasing => _casing is not null;

    /// <summary>Computes token logits.</summary>
    /// <param name="input">Token states [B, T, H] and, when the head uses casing, casing ids [B, T].</param>
    /// <returns>[B, T, labels].</returns>
    public override Tensor forward(TokenHeadInput input)
    {
        Tensor features = input.HiddenStates;
        using Tensor? casing = _casing is null ? null
            : _casing.forward(input.CasingIds ?? throw new ArgumentException("This head uses casing features; pass casing ids.", nameof(input)));
        using Tensor? joined = casing is null ? null : cat([features, casing], dim: -1); // [B, T, H + casing]
        using Tensor dropped = _dropout.forward(joined ?? features);
        using Tensor? hidden = _hidden is null ? null : functional.gelu(_hidden.forward(dropped));
        return functional.linear(hidden ?? dropped, _weight, _bias);
    }
}
