using NerClassify.Configuration;
using NerClassify.Inference;
using NerClassify.Tokenization;

using NerClassify.Training;

namespace NerClassify;

/// <summary>
/// Settings of <see cref="Trainer"/>. The defaults are the best setting measured on CoNLL-2003 with the MiniLM encoder
/// (docs/results.md): AdamW with weight decay 0.01, learning rate 2e-4, 10 epochs, 10 % warm-up then linear decay, word
/// embeddings frozen, the heads at 5 times the learning rate and layer-wise learning-rate decay 0.9.
/// <see cref="Table2"/> and <see cref="Report"/> give the report's settings by name.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Peak learning rate. Default 2e-4.</summary>
    public double LearningRate { get; init; } = 2e-4;

    /// <summary>AdamW weight decay, applied to weights only (not to biases, LayerNorm or loss weights). Default 0.01.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Passes over the training data. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Sentences per optimiser step (before accumulation). Default 16. A run resumed from a checkpoint must use the size it was written with.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Batches whose gradients are summed before each optimiser step. Default 1.</summary>
    public int GradientAccumulationSteps { get; init; } = 1;

    /// <summary>Learning-rate schedule. Default <see cref="LearningRateSchedule.Linear"/>.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Linear;

    /// <summary>Share of all optimiser steps spent warming up, in [0, 1). Default 0.1.</summary>
    public double WarmupRatio { get; init; } = 0.1;

    /// <summary>Maximum gradient norm (finite and positive), or null for no clipping. Default 1.0.</summary>
    public double? MaxGradientNorm { get; init; } = 1.0;

    /// <summary>
    /// Keep the encoder's word-embedding matrix fixed. It is the largest tensor of a small encoder (30,522 x 384
    /// in MiniLM), so freezing it removes most of the optimiser's memory traffic and speeds up each step
    /// markedly; with a pretrained encoder and little data the scores barely move (86.4 entity F1 frozen against
    /// 85.4 trained, docs/results.md). Default true; false trains everything, as Hugging Face does.
    /// </summary>
    public bool FreezeWordEmbeddings { get; init; } = true;

    /// <summary>
    /// Learning rate of the task heads, the casing embedding and the character encoder, as a multiple of <see cref="LearningRate"/>: new,
    /// randomly initialised weights can take larger steps than pretrained ones. Default 5.
    /// </summary>
    public double HeadLearningRateMultiplier { get; init; } = 5;

    /// <summary>
    /// Layer-wise learning-rate decay, in (0, 1]: the top encoder layer (and the pooler) trains at
    /// <see cref="LearningRate"/>, each layer below at this factor times the one above, and the embeddings at the
    /// factor times the lowest layer, so the general features near the input move least. Default 0.9; 1 trains every
    /// layer at one rate.
    /// </summary>
    public double LayerLearningRateDecay { get; init; } = 0.9;

    /// <summary>
    /// Averages the weights at the end of the last this-many epochs (stochastic weight averaging over epochs) and
    /// keeps the average as the trained model; 1 keeps the last epoch's weights. Cannot be combined with
    /// <see cref="KeepBest"/>. Default 1.
    /// </summary>
    public int AverageLastEpochs { get; init; } = 1;

    /// <summary>Seeds weights shuffling, dropout and batch order. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Subwords per training window, special tokens included; longer sentences are windowed, never cut. Default 128.
    /// A sentence that needs a window longer than the encoder's positions (<c>max_position_embeddings</c>) is refused
    /// before the first step.
    /// </summary>
    public int MaxLength { get; init; } = 128;

    /// <summary>Subwords shared by consecutive training windows of a long sentence. Default 32.</summary>
    public int Stride { get; init; } = 32;

    /// <summary>The training windows as the tokenizer takes them.</summary>
    internal EncodingOptions Encoding => new() { MaxLength = MaxLength, Stride = Stride };

    /// <summary>Sort sentences by length within shuffled pools so batches carry little padding. Default true.</summary>
    public bool LengthBucketing { get; init; } = true;

    /// <summary>Evaluate on the validation set after every epoch (when one is given). Default true.</summary>
    public bool EvaluateEveryEpoch { get; init; } = true;

    /// <summary>The validation score that selects the best epoch. Default <see cref="SelectionMetric.Auto"/>.</summary>
    public SelectionMetric SelectionMetric { get; init; } = SelectionMetric.Auto;

    /// <summary>At the end, restore the weights of the best epoch by <see cref="SelectionMetric"/>. Default false (keep the last epoch, as the report did).</summary>
    public bool KeepBest { get; init; }

    /// <summary>Stop after this many epochs without improvement, or null to never stop early. Default null.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>BIO-constrained (Viterbi) decoding of token predictions during evaluation. Default true.</summary>
    public bool ConstrainedDecoding { get; init; } = true;

    /// <summary>Where to write a checkpoint (weights, optimiser, schedule) after every epoch, or null for none. Default null.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>A checkpoint directory written by an earlier run to continue from, or null. Default null.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Batch size for evaluation. Default 64.</summary>
    public int EvaluationBatchSize { get; init; } = 64;

    /// <summary>Device and threads. Default <see cref="ComputeOptions.Default"/>.</summary>
    public ComputeOptions Compute { get; init; } = ComputeOptions.Default;

    /// <summary>
    /// The training settings of the reproduction's Table 2 (the strict row, docs/results.md): as the defaults, but the
    /// heads train at the encoder's rate and every layer at one rate. Pair it with <see cref="ModelOptions.Table2"/>.
    /// Change single values with <c>with</c>.
    /// </summary>
    public static TrainerOptions Table2 => new() { HeadLearningRateMultiplier = 1, LayerLearningRateDecay = 1 };

    /// <summary>
    /// The report's own training settings: learning rate 5e-5, 4 epochs, no warm-up, every weight trained, one rate for
    /// all (a common start for 12-layer encoders such as bert-base-cased). Pair it with <see cref="ModelOptions.Report"/>.
    /// </summary>
    public static TrainerOptions Report => new()
    {
        LearningRate = 5e-5,
        Epochs = 4,
        WarmupRatio = 0,
        FreezeWordEmbeddings = false,
        HeadLearningRateMultiplier = 1,
        LayerLearningRateDecay = 1,
    };

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range or, for a number, not finite; the message names the property.</exception>
    public TrainerOptions Validate()
    {
        // NaN passes every comparison and infinity passes the lower bounds, and either turns the weights to NaN.
        ThrowIfNotFinite(LearningRate, nameof(LearningRate));
        ThrowIfNotFinite(WeightDecay, nameof(WeightDecay));
        ThrowIfNotFinite(WarmupRatio, nameof(WarmupRatio));
        ThrowIfNotFinite(HeadLearningRateMultiplier, nameof(HeadLearningRateMultiplier));
        ThrowIfNotFinite(LayerLearningRateDecay, nameof(LayerLearningRateDecay));
        if (MaxGradientNorm is { } maxNorm)
        {
            ThrowIfNotFinite(maxNorm, nameof(MaxGradientNorm));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LearningRate, nameof(LearningRate));
        ArgumentOutOfRangeException.ThrowIfNegative(WeightDecay, nameof(WeightDecay));
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(GradientAccumulationSteps, 1, nameof(GradientAccumulationSteps));
        ArgumentOutOfRangeException.ThrowIfLessThan(EvaluationBatchSize, 1, nameof(EvaluationBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupRatio, nameof(WarmupRatio));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(WarmupRatio, 1, nameof(WarmupRatio));
        if (MaxGradientNorm is { } norm)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(norm, nameof(MaxGradientNorm));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HeadLearningRateMultiplier, nameof(HeadLearningRateMultiplier));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LayerLearningRateDecay, nameof(LayerLearningRateDecay));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LayerLearningRateDecay, 1, nameof(LayerLearningRateDecay));
        ArgumentOutOfRangeException.ThrowIfLessThan(AverageLastEpochs, 1, nameof(AverageLastEpochs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(AverageLastEpochs, Epochs, nameof(AverageLastEpochs));
        if (AverageLastEpochs > 1 && KeepBest)
        {
            throw new ArgumentOutOfRangeException(nameof(AverageLastEpochs), AverageLastEpochs, $"{nameof(AverageLastEpochs)} cannot be combined with {nameof(KeepBest)}: the model is either the average of the last epochs or the best one.");
        }

        if (EarlyStoppingPatience is { } patience)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1, nameof(EarlyStoppingPatience));
        }

        EncodingOptions.CheckWindow(MaxLength, Stride);
        ArgumentNullException.ThrowIfNull(Compute, nameof(Compute));
        Compute.Validate();
        return this;
    }

    private static void ThrowIfNotFinite(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number.");
        }
    }
}
