using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Tokenization;

namespace NerClassify.Training;

/// <summary>What <see cref="Trainer"/> trains on: the sentences, the vocabulary that turns their words into ids, and optionally validation and unlabelled sentences.</summary>
/// <param name="Vocabulary">The encoder's vocabulary (for example <see cref="PretrainedEncoder.Vocabulary"/>).</param>
/// <param name="Train">Training sentences; each needs labels for at least one of the model's tasks.</param>
/// <param name="Validation">Sentences scored after every epoch, or null.</param>
public sealed record TrainingSet(BertVocabulary Vocabulary, IReadOnlyList<TrainingExample> Train, IReadOnlyList<TrainingExample>? Validation = null)
{
    /// <summary>Words of in-domain sentences without labels, for <see cref="Trainer.SelfTrainAsync"/>; null otherwise.</summary>
    public IReadOnlyList<IReadOnlyList<string>>? Unlabelled { get; init; }

    /// <summary>What the sentences are, recorded as the model's <see cref="ModelConfig.TrainedOn"/>; null for "N sentences".</summary>
    public string? Description { get; init; }
}
