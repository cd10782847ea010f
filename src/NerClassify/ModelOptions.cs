using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Models;

namespace NerClassify;

/// <summary>How <see cref="NerClassifier.Create"/> builds a model; every property has a documented default.</summary>
public sealed record ModelOptions
{
    /// <summary>The token head: extra hidden layer, casing features, dropout. Default: one linear layer.</summary>
    public TokenHeadOptions TokenHead { get; init; } = new();

    /// <summary>
    /// How the sentence head pools the encoder's states: the <c>[CLS]</c> state through dense + tanh (BERT's pooler), or
    /// the mean over tokens. Default <see cref="SentencePooling.Cls"/>.
    /// </summary>
    public SentencePooling SentencePooling { get; init; } = SentencePooling.Cls;

    /// <summary>The multitask loss weighting. Default alpha = 1 (sentences), beta = 7 (tokens), as in the report.</summary>
    public MultitaskLossOptions Loss { get; init; } = new();

    /// <summary>Subwords per window at prediction time, special tokens included; null for 512 or the encoder's limit.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Subwords shared by consecutive windows of a long input; null for a quarter of the window, at most 128.</summary>
    public int? Stride { get; init; }

    /// <summary>
    /// Seeds TorchSharp's global generator before the new heads (and casing embedding) are initialised, so two models
    /// created with the same seed start from the same weights; null leaves the generator as it is. Default null.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>Batching, decoding, device and threads for prediction and evaluation. Default <see cref="PredictorOptions"/>'s defaults.</summary>
    public PredictorOptions Predictor { get; init; } = new();

    /// <summary>Checks the values.</summary>
    /// <returns>This instance.</returns>
    public ModelOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(TokenHead, nameof(TokenHead));
        ArgumentNullException.ThrowIfNull(Loss, nameof(Loss));
        ArgumentNullException.ThrowIfNull(Predictor, nameof(Predictor));
        TokenHead.Validate();
        Loss.Validate();
        Predictor.Validate();
        return this;
    }
}
