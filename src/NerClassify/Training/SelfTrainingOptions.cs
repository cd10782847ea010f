namespace NerClassify.Training;

/// <summary>
/// Settings of <see cref="NerClassifier.SelfTrainAsync"/>: which pseudo-labelled sentences a teacher hands to the
/// student, and how the student trains. Defaults keep sentences the teacher is at least 90 % sure of and train the
/// student for 2 epochs (the best measured setting, docs/results.md).
/// </summary>
public sealed record SelfTrainingOptions
{
    /// <summary>Teacher-to-student rounds; each student becomes the next round's teacher. Default 1.</summary>
    public int Rounds { get; init; } = 1;

    /// <summary>
    /// A sentence's predicted tags are kept when every word's tag has at least this probability, in [0, 1]. Default 0.9.
    /// </summary>
    public double MinTagConfidence { get; init; } = 0.9;

    /// <summary>A predicted sentence class is kept when its probability is at least this, in [0, 1]. Default 0.9.</summary>
    public double MinSentenceConfidence { get; init; } = 0.9;

    /// <summary>
    /// The most pseudo-labelled sentences a round keeps, or null to keep every sentence that passes the thresholds. When
    /// more pass, a random sample seeded by <see cref="TrainerOptions.Seed"/> is kept rather than the most confident,
    /// which would be mostly the shortest and easiest sentences. Default null.
    /// </summary>
    public int? MaxSentences { get; init; }

    /// <summary>
    /// Epochs of each student, or null for the teacher's <see cref="TrainerOptions.Epochs"/>. Default 2: with every
    /// confident sentence of a large unlabelled pool, two passes beat fewer sentences seen more often (docs/results.md).
    /// </summary>
    public int? StudentEpochs { get; init; } = 2;

    /// <summary>Checks the values.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names the property.</exception>
    public SelfTrainingOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Rounds, 1, nameof(Rounds));
        CheckProbability(MinTagConfidence, nameof(MinTagConfidence));
        CheckProbability(MinSentenceConfidence, nameof(MinSentenceConfidence));
        if (MaxSentences is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1, nameof(MaxSentences));
        }

        if (StudentEpochs is { } epochs)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1, nameof(StudentEpochs));
        }

        return this;
    }

    private static void CheckProbability(double value, string name)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a probability in [0, 1].");
        }
    }
}
