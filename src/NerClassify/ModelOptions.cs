using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Models;

namespace NerClassify;

/// <summary>
/// How <see cref="NerClassifier.Create"/> builds a model; every property has a documented default. The defaults are the
/// best measured setting (casing at the encoder's input, mean pooling); <see cref="Table2"/> and <see cref="Report"/>
/// give the report's by name.
/// </summary>
public sealed record ModelOptions
{
    /// <summary>
    /// The token head: extra hidden layer, casing features, dropout. Default: one linear layer, with each word's casing
    /// added to the encoder's input (<see cref="TokenHeadOptions.CasingInput"/> true; it gives an uncased encoder such as
    /// MiniLM the capitalisation back, about 2 entity F1 on CoNLL-2003, and starts at zero, so a cased encoder begins
    /// exactly where it was).
    /// </summary>
    public TokenHeadOptions TokenHead { get; init; } = new() { CasingInput = true };

    /// <summary>
    /// How the sentence head pools the encoder's states: the <c>[CLS]</c> state through dense + tanh (BERT's pooler), or
    /// the mean over tokens. Default <see cref="SentencePooling.Mean"/>.
    /// </summary>
    public SentencePooling SentencePooling { get; init; } = SentencePooling.Mean;

    /// <summary>The multitask loss weighting. Default alpha = 1 (sentences), beta = 7 (tokens), as in the report.</summary>
    public MultitaskLossOptions Loss { get; init; } = new();

    /// <summary>Subwords per window at prediction time, special tokens included; null for 512 or the encoder's limit.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Subwords shared by consecutive windows of a long input; null for a quarter of the window, at most 128.</summary>
    public int? Stride { get; init; }

    /// <summary>
    /// Seeds TorchSharp's global generator before the new heads (and casing embedding) are initialised, so two models
    /// created with the same seed start from the same weights, whichever way the encoder was loaded; null leaves the
    /// generator as it is (the heads then start from whatever state earlier code left). Default 42, the default of
    /// <see cref="TrainerOptions.Seed"/>, as Hugging Face's <c>Trainer</c> seeds model creation with its training seed:
    /// the API, the command line and the reproduction sample start from the same heads for the same seed.
    /// </summary>
    public int? Seed { get; init; } = 42;

    /// <summary>Batching, decoding, device and threads for prediction and evaluation. Default <see cref="PredictorOptions"/>'s defaults.</summary>
    public PredictorOptions Predictor { get; init; } = new();

    /// <summary>The model settings of the reproduction's Table 2: as the defaults, but sentences are pooled through <c>[CLS]</c>.</summary>
    public static ModelOptions Table2 => new() { SentencePooling = SentencePooling.Cls };

    /// <summary>The report's own model settings: no casing input, <c>[CLS]</c> pooling.</summary>
    public static ModelOptions Report => new() { SentencePooling = SentencePooling.Cls, TokenHead = new TokenHeadOptions() };

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
