namespace NerClassify.Labelling;

/// <summary>A sentence to label together with its index in the source file (the <c>sentence</c> column of the output).</summary>
/// <param name="Index">The sentence index, counted from 0 in file order; not necessarily the position in the input list.</param>
/// <param name="Text">The sentence text, its tokens joined by single spaces.</param>
public readonly record struct SentenceToLabel(int Index, string Text);
