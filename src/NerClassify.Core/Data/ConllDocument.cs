namespace NerClassify.Data;

/// <summary>A document of a CoNLL file: the sentences between two <c>-DOCSTART-</c> lines.</summary>
/// <param name="Index">The 0-based document index in the file.</param>
/// <param name="LineNumber">The 1-based line of the <c>-DOCSTART-</c> line, or 0 for sentences before any such line.</param>
/// <param name="Sentences">The sentences of the document, in file order (possibly none).</param>
internal sealed record ConllDocument(int Index, int LineNumber, IReadOnlyList<ConllSentence> Sentences);
