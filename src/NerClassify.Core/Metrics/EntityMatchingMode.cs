namespace NerClassify.Metrics;

/// <summary>
/// How <see cref="EntityExtractor"/> reads entities out of a tag sequence.
/// </summary>
/// <remarks>
/// Untyped tags (<c>B</c>, <c>I</c>, <c>E</c>, <c>S</c>) are accepted in every mode. <see cref="Lenient"/> and
/// <see cref="Strict"/> read them as seqeval does, as entities of type <c>_</c>; <see cref="Conlleval"/> gives them
/// conlleval.pl's empty type (the key <c>""</c> in <see cref="EntityReport.PerType"/>), apart from a written type
/// <c>_</c> (<c>B-_</c>). Lenient and conlleval modes accept any non-empty tag, as those tools do.
/// </remarks>
public enum EntityMatchingMode
{
    /// <summary>
    /// seqeval's default mode (<c>get_entities</c>): every non-<c>O</c> tag belongs to some entity. An entity ends
    /// after an <c>E-</c> or <c>S-</c> tag, before an <c>O</c>, <c>B-</c> or <c>S-</c> tag, and where the type changes;
    /// any other non-<c>O</c> tag that does not continue an entity starts one, so an <c>I-X</c> (or <c>E-X</c>) after
    /// <c>O</c> or after another type starts a new entity. The label scheme is not consulted. On IOB1 and IOB2 tags
    /// this equals conlleval.pl; on <c>E-</c> and <c>S-</c> tags it does not (conlleval.pl reads <c>S-X S-X</c> as
    /// one entity, this mode as two): use <see cref="Conlleval"/> to reproduce conlleval.pl. Tags outside the grammar
    /// are read as seqeval 1.2 reads them: the first character is the tag and the text after the next hyphen the type
    /// (<c>_</c> when empty), so <c>B-</c> is an untyped <c>B</c>, <c>O-PER</c> an <c>O</c> of type <c>PER</c>, and
    /// <c>X</c>, <c>U-PER</c> or <c>b-PER</c> start or end an entity only where the type changes. Like seqeval,
    /// <see cref="EntityMetrics"/> joins the sentences with an <c>O</c> after each and counts each side's entities
    /// as a set per type, which on such tags can differ from sentence-by-sentence extraction.
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

    /// <summary>
    /// conlleval.pl (version 2004-01-26) exactly: its <c>startOfChunk</c> and <c>endOfChunk</c> rules, with a sentence
    /// boundary read as <c>O</c>. Those rules know <c>E-</c> but not <c>S-</c>: an <c>S-X</c> starts an entity only
    /// after <c>O</c> or another type, and nothing but a type change or <c>O</c> after <c>E-</c>/<c>I-</c>/<c>B-</c>
    /// ends one, so <c>S-X S-X</c>, <c>B-X S-X</c> and <c>E-X B-X</c> are each one entity, while <c>E-X E-X</c> is two.
    /// The label scheme is not consulted. Any tag is read as conlleval.pl splits it (before the first hyphen the tag,
    /// after it the type; no hyphen, or a type of <c>0</c>, gives the empty type), so an untyped <c>S</c> after <c>O</c>
    /// starts nothing and an untyped <c>S</c> or <c>E</c> is not ended by the sentence boundary. <see cref="EntityMetrics"/>
    /// counts exactly as conlleval.pl's main loop does over the corpus with a blank line after each sentence: gold and
    /// predicted chunks where they start, a correct one where both start and end together with one type (gold
    /// <c>B I</c> against predicted <c>B S</c> scores no correct chunk).
    /// </summary>
    Conlleval,
}
