using NerClassify.Inference;

namespace NerClassify.Training;

/// <summary>One epoch of training, for learning curves.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainLoss">Mean total loss over the epoch's batches.</param>
/// <param name="TrainTokenLoss">Mean token loss, or null.</param>
/// <param name="TrainSequenceLoss">Mean sentence loss, or null.</param>
/// <param name="LearningRate">The learning rate at the epoch's end.</param>
/// <param name="TrainSeconds">Wall time of the epoch's training (without evaluation).</param>
/// <param name="ExamplesPerSecond">Training sentences per second.</param>
/// <param name="Validation">Validation scores, or null when none was run.</param>
/// <param name="SequenceWeight">alpha at the epoch's end (multitask only).</param>
/// <param name="TokenWeight">beta at the epoch's end (multitask only).</param>
public sealed record EpochResult(
    int Epoch,
    double TrainLoss,
    double? TrainTokenLoss,
    double? TrainSequenceLoss,
    double LearningRate,
    double TrainSeconds,
    double ExamplesPerSecond,
    EvaluationResult? Validation,
    double? SequenceWeight = null,
    double? TokenWeight = null);
