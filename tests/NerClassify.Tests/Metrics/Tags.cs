using NerClassify.Metrics;

namespace NerClassify.Tests.Metrics;

/// <summary>Short-hand for writing tag sequences and entities in tests.</summary>
internal static class Tags
{
    /// <summary>Splits "B-PER I-PER O" into tags; an empty string is an empty sentence.</summary>
    public static string[] Of(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Builds sentences from one space-separated string each.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Sentences(params string[] sentences) =>
        sentences.Select(s => (IReadOnlyList<string>)Of(s)).ToList();

    /// <summary>Renders entities as "PER:0-2 LOC:3-4" (end exclusive) for compact assertions.</summary>
    public static string Describe(IEnumerable<Entity> entities) =>
        string.Join(' ', entities.Select(e => $"{e.Type}:{e.Start}-{e.End}"));
}
