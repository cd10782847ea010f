namespace NerClassify.Training;

/// <summary>
/// Where training stands: reported after every optimiser step (<see cref="Phase"/> is
/// <see cref="TrainingPhase.Training"/>), before an epoch's validation and after each epoch.
/// </summary>
/// <param name="Epoch">The current epoch, from 1.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Step">Batches done in this epoch.</param>
/// <param name="StepsPerEpoch">Batches per epoch.</param>
/// <param name="Loss">The last batch's total loss.</param>
/// <param name="TokenLoss">The last batch's token loss, or null.</param>
/// <param name="SequenceLoss">The last batch's sentence loss, or null.</param>
/// <param name="ExamplesPerSecond">Training throughput in this epoch so far.</param>
/// <param name="Remaining">Estimated time left for the whole run (training only).</param>
public readonly record struct TrainingProgress(
    int Epoch,
    int Epochs,
    int Step,
    int StepsPerEpoch,
    double Loss,
    double? TokenLoss,
    double? SequenceLoss,
    double ExamplesPerSecond,
    TimeSpan Remaining)
{
    /// <summary>What this report is about. Default <see cref="TrainingPhase.Training"/>: an optimiser step finished.</summary>
    public TrainingPhase Phase { get; init; }

    /// <summary>The validation sentences being scored when <see cref="Phase"/> is <see cref="TrainingPhase.Validating"/>; otherwise 0.</summary>
    public int ValidationSentences { get; init; }

    /// <summary>The finished epoch (its loss, time and validation scores) when <see cref="Phase"/> is <see cref="TrainingPhase.EpochCompleted"/>; otherwise null.</summary>
    public EpochResult? CompletedEpoch { get; init; }
}
