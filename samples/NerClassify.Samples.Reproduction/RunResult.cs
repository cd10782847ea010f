namespace NerClassify.Samples.Reproduction;

/// <summary>
/// The scores of one training run, as percentages. With document context the main scores are those of the revised
/// predictions, and the <c>SentenceAlone</c> ones those of the same model's predictions before revision.
/// </summary>
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
    string? TrainedOn = null,
    double? EntityF1SentenceAlone = null,
    double? TopicWeightedF1SentenceAlone = null,
    double? TestEntityF1SentenceAlone = null,
    double? TestTopicWeightedF1SentenceAlone = null);
