namespace NerClassify.Metrics;

/// <summary>
/// How <see cref="EntityExtractor"/> reads entities out of a tag sequence.
/// </summary>
public enum EntityMatchingMode
{
    /// <summary>
    /// The conlleval reading, which is also seqeval's default mode. Every non-<c>O</c> tag belongs to
    /// some entity: an <c>I-X</c> (or <c>E-X</c>) after <c>O</c>, after an entity of another type or
    /// after a closed entity starts a new one, and a change of type ends an entity. The label scheme is
    /// not consulted, so IOB1, IOB2 and BIOES tags are all accepted.
    /// </summary>
    Lenient,

    /// <summary>
    /// Only entities that are well formed under the given <see cref="Data.LabelScheme"/> count, as in
    /// seqeval's strict mode: under IOB2 an entity is <c>B-X (I-X)*</c>; under BIOES it is <c>S-X</c> or
    /// <c>B-X (I-X)* E-X</c>; under IOB1 an entity starts with <c>I-X</c>, or with <c>B-X</c> directly
    /// after a token of type <c>X</c>. Tags outside the scheme (for example <c>E-</c> under IOB2) are
    /// rejected with an <see cref="ArgumentException"/>.
    /// </summary>
    Strict,
}
