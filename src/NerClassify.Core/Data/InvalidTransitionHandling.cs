namespace NerClassify.Data;

/// <summary>
/// What the CoNLL reader does with a tag that breaks the transition rules of the file's scheme, such as an
/// <c>I-PER</c> directly after <c>O</c> in an IOB2 file.
/// </summary>
internal enum InvalidTransitionHandling
{
    /// <summary>Keep the tag as written and report a warning (logged, and collected on <see cref="ConllCorpus.Warnings"/>).</summary>
    Warn,

    /// <summary>Rewrite the tags so that they follow the scheme (an orphan <c>I-X</c> in IOB2 becomes <c>B-X</c>), and report a warning.</summary>
    Repair,

    /// <summary>Throw a <see cref="FormatException"/> that names the file and line.</summary>
    Throw,
}
