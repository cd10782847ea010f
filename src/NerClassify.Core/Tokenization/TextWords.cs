namespace NerClassify.Tokenization;

/// <summary>Raw text split into words, each with its exact place in the original text.</summary>
/// <param name="Text">The original text, unchanged.</param>
/// <param name="Words">The words, each a substring of <paramref name="Text"/>.</param>
/// <param name="Spans">Where each word lies in <paramref name="Text"/>.</param>
internal sealed record TextWords(string Text, IReadOnlyList<string> Words, IReadOnlyList<WordSpan> Spans)
{
    /// <summary>The char range in <see cref="Text"/> from the start of one word to the end of another, such as an entity.</summary>
    /// <param name="firstWord">The first word of the span.</param>
    /// <param name="lastWord">The last word of the span (inclusive).</param>
    /// <returns>The range, covering any spaces between the words exactly as the user wrote them.</returns>
    public Range GetRange(int firstWord, int lastWord)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstWord);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastWord, firstWord);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lastWord, Spans.Count);
        return Spans[firstWord].Start..Spans[lastWord].End;
    }
}
