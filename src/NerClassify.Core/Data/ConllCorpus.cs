namespace NerClassify.Data;

/// <summary>A whole CoNLL file loaded into memory by <see cref="ConllReader.LoadAsync(string, ConllReaderOptions?, CancellationToken)"/>.</summary>
public sealed record ConllCorpus
{
    internal ConllCorpus(
        string fileName,
        IReadOnlyList<ConllSentence> sentences,
        IReadOnlyList<ConllDocument> documents,
        LabelScheme detectedScheme,
        LabelScheme scheme,
        IReadOnlyList<ConllWarning> warnings)
    {
        FileName = fileName;
        Sentences = sentences;
        Documents = documents;
        DetectedScheme = detectedScheme;
        Scheme = scheme;
        Warnings = warnings;
    }

    /// <summary>The file name used in messages.</summary>
    public string FileName { get; }

    /// <summary>All sentences in file order; <see cref="ConllSentence.Index"/> equals the position in this list.</summary>
    public IReadOnlyList<ConllSentence> Sentences { get; }

    /// <summary>The tag scheme the file's tags were written in (given by the options, or detected).</summary>
    public LabelScheme DetectedScheme { get; }

    /// <summary>The tag scheme of <see cref="ConllSentence.Tags"/> in this corpus (differs from <see cref="DetectedScheme"/> after conversion).</summary>
    public LabelScheme Scheme { get; }

    /// <summary>How many problems that did not stop reading (such as invalid transitions) were found; the reader logs each.</summary>
    public int WarningCount => Warnings.Count;

    /// <summary>The total number of tokens (words) over all sentences.</summary>
    public int TokenCount => Sentences.Sum(s => s.Count);

    /// <summary>The documents, in file order, each with its sentences.</summary>
    internal IReadOnlyList<ConllDocument> Documents { get; }

    /// <summary>The problems that did not stop reading.</summary>
    internal IReadOnlyList<ConllWarning> Warnings { get; }
}
