using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Tokenization;

namespace NerClassify.Models;

/// <summary>A model read from a model directory, with its vocabulary and configuration.</summary>
/// <param name="Model">The model, in evaluation mode.</param>
/// <param name="Vocabulary">Its vocabulary.</param>
/// <param name="Config">Its task, labels and settings.</param>
internal sealed record LoadedModel(TaskModel Model, BertVocabulary Vocabulary, ModelConfig Config);
