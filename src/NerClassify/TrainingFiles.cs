using NerClassify.Data;

namespace NerClassify;

/// <summary>
/// The files a model trains on, as <c>NerClassifier.TrainAsync</c> reads them for the model's task: a CoNLL file (entities), a text-label file (sentence classes), or a CoNLL file joined
/// with a sentence-label file (both); optionally only some of the labelled sentences, and unlabelled text for
/// self-training.
/// </summary>
/// <param name="Train">The training CoNLL or text-label file.</param>
/// <param name="TrainLabels">A sentence-label file joined to <paramref name="Train"/> by sentence index, or null.</param>
/// <param name="Validation">The validation file, evaluated after every epoch, or null.</param>
/// <param name="ValidationLabels">A sentence-label file joined to <paramref name="Validation"/>, or null.</param>
/// <example>
/// The setting of docs/results.md: the first 1,000 rows of the label file with their sentences of <c>train.txt</c>, and
/// every other sentence of <c>train.txt</c> as unlabelled text:
/// <code>new TrainingFiles("train.txt", "train.tsv", "valid.txt", "valid.tsv") { LabelledCount = 1000, UnlabelledRest = true }</code>
/// </example>
public sealed record TrainingFiles(string Train, string? TrainLabels = null, string? Validation = null, string? ValidationLabels = null)
{
    /// <summary>
    /// Train on this many labelled sentences only, or null for all of them: the first N rows of
    /// <see cref="TrainLabels"/> (with their sentences of <see cref="Train"/>), or, without a label file, the first N
    /// sentences (rows) of <see cref="Train"/>; all of them when there are fewer. Default null.
    /// </summary>
    public int? LabelledCount { get; init; }

    /// <summary>
    /// With <see cref="LabelledCount"/>: draw the N labelled sentences at random with this seed instead of taking the
    /// first N (the same seed gives the same sentences). Default null (the first N).
    /// </summary>
    public int? LabelledSeed { get; init; }

    /// <summary>
    /// Use every sentence of <see cref="Train"/> that is not among the labelled ones as unlabelled text (its words only;
    /// tags and sentence labels are never read for it), so the model self-trains. Default false.
    /// </summary>
    public bool UnlabelledRest { get; init; }

    /// <summary>
    /// A CoNLL file whose words (first column only) are unlabelled text for self-training, or null. Cannot be combined
    /// with <see cref="UnlabelledRest"/>. Default null.
    /// </summary>
    public string? UnlabelledFile { get; init; }
}
