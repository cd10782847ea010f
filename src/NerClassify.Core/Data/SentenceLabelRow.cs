namespace NerClassify.Data;

/// <summary>One row of a sentence-label file (<c>sentence&lt;TAB&gt;label&lt;TAB&gt;text</c>).</summary>
/// <param name="SentenceIndex">The index of the sentence in the matching CoNLL file (see <see cref="ConllSentence.Index"/>).</param>
/// <param name="Label">The sentence's class name.</param>
/// <param name="Text">The sentence's words joined by single spaces, used to check the join.</param>
/// <param name="LineNumber">The 1-based line of the row (0 when not read from a file).</param>
public sealed record SentenceLabelRow(int SentenceIndex, string Label, string Text, int LineNumber = 0);
