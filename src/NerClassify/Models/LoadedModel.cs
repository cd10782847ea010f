using NerClassify.Encoders;
using NerClassify.Tokenization;

namespace NerClassify.Models;

/// <summary>A model read from a directory by <see cref="ModelDirectory.Load"/>.</summary>
/// <param name="Model">The model, in evaluation mode; the caller owns it.</param>
/// <param name="Vocabulary">Its vocabulary.</param>
/// <param name="Encoding">The window settings stored with it.</param>
public sealed record LoadedModel(TaskModel Model, BertVocabulary Vocabulary, EncodingOptions Encoding);
