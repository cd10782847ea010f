namespace NerClassify.Data;

/// <summary>
/// How entity tags mark where an entity begins and ends.
/// </summary>
public enum LabelScheme
{
    /// <summary>
    /// IOB1 (the original CoNLL-2003 layout): an entity starts with <c>I-</c>; <c>B-</c> appears only
    /// where an entity directly follows another of the same type.
    /// </summary>
    Iob1,

    /// <summary>IOB2 (also called BIO): every entity starts with <c>B-</c> and continues with <c>I-</c>.</summary>
    Iob2,

    /// <summary>BIOES (also called IOBES): <c>B-</c> begins, <c>I-</c> continues, <c>E-</c> ends, <c>S-</c> is a one-word entity.</summary>
    Bioes,
}
