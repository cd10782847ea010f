namespace NerClassify.Samples.Reproduction;

/// <summary>The scores of one training run, as percentages.</summary>
internal sealed record RunResult(
    string Model,
    int TrainSize,
    int Seed,
    double? EntityF1,
    double? TokenAccuracy,
    double? TopicWeightedF1,
    double? TopicAccuracy,
    double SecondsPerEpoch,
    double ExamplesPerSecond,
    int[][]? ConfusionMatrix,
    double? TestEntityF1 = null,
    double? TestTokenAccuracy = null,
    double? TestTopicWeightedF1 = null,
    double? TestTopicAccuracy = null,
    double? TrainingSeconds = null,
    string? TrainedOn = null);
