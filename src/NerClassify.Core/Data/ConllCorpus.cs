namespace NerClassify.Data;

/// <summary>A whole CoNLL file loaded into memory by <see cref="ConllReader.LoadAsync(string, ConllReaderOptions?, CancellationToken)"/>.</summary>
/// <param name="FileName">The file name used in messages.</param>
/// <param name="Sentences">All sentences in file order; <see cref="ConllSentence.Index"/> equals the position in this list.</param>
/// <param name="Documents">The documents, in file order, each with its sentences.</param>
/// <param name="DetectedScheme">The tag scheme the file's tags were written in (given by the options, or detected).</param>
/// <param name="Scheme">The tag scheme of <see cref="ConllSentence.Tags"/> in this corpus (differs from <paramref name="DetectedScheme"/> after conversion).</param>
/// <param name="Warnings">Problems that did not stop reading, such as invalid transitions.</param>
public sealed record ConllCorpus(
    string FileName,
    IReadOnlyList<ConllSentence> Sentences,
    IReadOnlyList<ConllDocument> Documents,
    LabelScheme DetectedScheme,
    LabelScheme Scheme,
    IReadOnlyList<ConllWarning> Warnings)
{
    /// <summary>The total number of tokens (words) over all sentences.</summary>
    public int TokenCount => Sentences.Sum(s => s.Count);
}
