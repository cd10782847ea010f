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
    double? TestTopicWeightedF1SentenceAlone = null,
    HalfScores? ChooseHalf = null,
    HalfScores? ReportHalf = null);

/// <summary>
/// The scores of one run on one half of <c>valid.txt</c> (<see cref="ValidHalves"/>), as percentages: each sentence
/// alone, and each sentence revised by its document.
/// </summary>
internal sealed record HalfScores(
    int Sentences,
    int TopicRows,
    double? EntityF1SentenceAlone,
    double? TopicWeightedF1SentenceAlone,
    double? EntityF1InDocument,
    double? TopicWeightedF1InDocument);
