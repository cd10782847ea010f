using NerClassify.Data;
using NerClassify.Training;

namespace NerClassify.Tests.TestSupport;

/// <summary>A handful of sentences over <see cref="TinyBert.Vocabulary"/>, with NER tags and topics.</summary>
internal static class TinyData
{
    public static readonly string[] TokenLabels = ["O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PER", "I-PER"];

    public static readonly string[] Topics = ["World", "Sport", "Business"];

    public static IReadOnlyList<TrainingExample> Examples { get; } =
    [
        new(["John", "Smith", "visited", "Paris", "today", "."], ["B-PER", "I-PER", "O", "B-LOC", "O", "O"], "World"),
        new(["Mary", "won", "the", "match", "in", "London", "."], ["B-PER", "O", "O", "O", "O", "B-LOC", "O"], "Sport"),
        new(["Google", "shares", "on", "the", "market", "."], ["B-ORG", "O", "O", "O", "O", "O"], "Business"),
        new(["The", "United", "Nations", "met", "in", "Berlin", "."], ["O", "B-ORG", "I-ORG", "O", "O", "B-LOC", "O"], "World"),
        new(["Microsoft", "stock", "was", "new", "today", "."], ["B-ORG", "O", "O", "O", "O", "O"], "Business"),
        new(["The", "team", "won", "the", "game", "in", "New", "York", "."], ["O", "O", "O", "O", "O", "O", "B-LOC", "I-LOC", "O"], "Sport"),
    ];
}
