namespace NerClassify.Training;

/// <summary>
/// Named training settings: what <see cref="TrainerOptions.ForPreset"/> and <see cref="ModelOptions.ForPreset"/> give,
/// and the <c>--preset</c> of <c>nerclassify train</c>. Self-training is not part of a preset: it runs whenever unlabelled
/// text is given (docs/results.md explains the choice and what it means for other encoders).
/// </summary>
public enum TrainingPreset
{
    /// <summary>
    /// The defaults of every entry point, the best setting measured with the MiniLM encoder on 1,000 labelled CoNLL-2003
    /// sentences: learning rate 2e-4, 10 epochs, 10 % warm-up, frozen word embeddings, heads at 5x the learning rate,
    /// layer-wise decay 0.9, casing at the encoder's input, mean pooling for sentence classes.
    /// </summary>
    Default,

    /// <summary>
    /// The setting of the reproduction's Table 2: as <see cref="Default"/>, but the heads train at the encoder's rate,
    /// every layer at one rate, and sentence classes read the <c>[CLS]</c> state through BERT's pooler.
    /// </summary>
    Table2,

    /// <summary>
    /// The report's own setting: learning rate 5e-5, 4 epochs, no warm-up, every weight trained at one rate, no casing
    /// input, <c>[CLS]</c> pooling. A common starting point for 12-layer encoders such as bert-base-cased.
    /// </summary>
    Report,
}
