using NerClassify.Data;

namespace NerClassify;

/// <summary>
/// The files a model trains on, as <see cref="TrainingData.LoadAsync"/> reads them for the model's task: a CoNLL file
/// (entities), a text-label file (sentence classes), or a CoNLL file joined with a sentence-label file (both).
/// </summary>
/// <param name="Train">The training CoNLL or text-label file.</param>
/// <param name="TrainLabels">A sentence-label file joined to <paramref name="Train"/> by sentence index, or null.</param>
/// <param name="Validation">The validation file, evaluated after every epoch, or null.</param>
/// <param name="ValidationLabels">A sentence-label file joined to <paramref name="Validation"/>, or null.</param>
public sealed record TrainingFiles(string Train, string? TrainLabels = null, string? Validation = null, string? ValidationLabels = null);
