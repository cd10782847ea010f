namespace NerClassify.Training;

/// <summary>What a <see cref="TrainingProgress"/> report is about.</summary>
public enum TrainingPhase
{
    /// <summary>An optimiser step finished (the report of every step).</summary>
    Training,

    /// <summary>An epoch's steps finished and the validation sentences are being scored.</summary>
    Validating,

    /// <summary>An epoch finished, with its validation scores when it was scored: see <see cref="TrainingProgress.CompletedEpoch"/>.</summary>
    EpochCompleted,
}
