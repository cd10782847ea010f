namespace NerClassify.Data;

/// <summary>
/// What <see cref="TrainingData.LoadSetAsync"/> read: the labelled
/// sentences to train on, unlabelled text for self-training, the validation sentences and a description of the choice.
/// </summary>
/// <param name="Labelled">The labelled training sentences.</param>
/// <param name="Unlabelled">Words of unlabelled sentences (empty when none were asked for).</param>
/// <param name="Validation">The validation sentences, or null without a validation file.</param>
/// <param name="Description">
/// Exactly what was used, for <c>ModelConfig.TrainedOn</c> and reports, for example "1,000 labelled + 13,041 unlabelled
/// sentences: the first 1,000 rows of train.tsv joined to train.txt; the other sentences of train.txt, words only".
/// </param>
internal sealed record TrainingFileSet(
    IReadOnlyList<TrainingExample> Labelled,
    IReadOnlyList<IReadOnlyList<string>> Unlabelled,
    IReadOnlyList<TrainingExample>? Validation,
    string Description);
