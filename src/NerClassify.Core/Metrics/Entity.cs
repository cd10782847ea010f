namespace NerClassify.Metrics;

/// <summary>
/// One entity found in a tag sequence: its type and the words it covers.
/// </summary>
/// <param name="Type">The entity type, the part of the tag after the prefix (<c>PER</c> in <c>B-PER</c>).</param>
/// <param name="Start">Index of the first word of the entity.</param>
/// <param name="End">Index one past the last word of the entity (exclusive).</param>
internal sealed record Entity(string Type, int Start, int End)
{
    /// <summary>Gets the number of words the entity covers.</summary>
    public int Length => End - Start;
}
