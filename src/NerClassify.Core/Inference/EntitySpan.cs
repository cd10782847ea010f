using NerClassify.Inference;

namespace NerClassify.Inference;

/// <summary>An entity found in the caller's text.</summary>
/// <param name="Type">The entity type, such as <c>PER</c> or <c>LOC</c>.</param>
/// <param name="Text">The entity's text, exactly as it appears in the input.</param>
/// <param name="Start">Index of the entity's first character in the input string.</param>
/// <param name="End">Index just past its last character.</param>
/// <param name="FirstWord">Index of its first word.</param>
/// <param name="LastWord">Index of its last word (inclusive).</param>
/// <param name="Score">Mean probability of the entity's word labels.</param>
public sealed record EntitySpan(string Type, string Text, int Start, int End, int FirstWord, int LastWord, float Score)
{
    /// <summary>The entity's characters as a range of the input string.</summary>
    public Range Range => Start..End;
}
