namespace NerClassify.Tokenization;

/// <summary>Where a word lies in the original text, in UTF-16 chars.</summary>
/// <param name="Start">The index of the word's first char.</param>
/// <param name="Length">The number of chars.</param>
internal readonly record struct WordSpan(int Start, int Length)
{
    /// <summary>The index just past the word.</summary>
    public int End => Start + Length;

    /// <summary>The word's range in the original text.</summary>
    public Range Range => Start..End;
}
