namespace NerClassify.Data;

/// <summary>Works out which tag scheme a stream of sentences is written in.</summary>
/// <remarks>
/// Any <c>E-</c> or <c>S-</c> tag means BIOES. Otherwise a <c>B-X</c> that starts an entity (not directly after an
/// X entity) means IOB2, since IOB1 never does that; failing that, an <c>I-X</c> that starts an entity means IOB1.
/// Data with no evidence (no entities at all) is reported as IOB2.
/// </remarks>
internal sealed class TagSchemeDetector
{
    private bool _hasBioesPrefix;
    private bool _hasBeginStart;
    private bool _hasInsideStart;

    /// <summary>Feeds the tags of one sentence.</summary>
    /// <param name="tags">Well-formed tags.</param>
    public void Observe(IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        string previous = EntityTag.Outside;
        for (int i = 0; i < tags.Count; i++)
        {
            string tag = tags[i];
            char prefix = EntityTag.Prefix(tag);
            bool afterSameType = EntityTag.Prefix(previous) is 'B' or 'I' && EntityTag.SameType(previous, tag);
            switch (prefix)
            {
                case 'E' or 'S':
                    _hasBioesPrefix = true;
                    break;
                case 'B' when !afterSameType:
                    _hasBeginStart = true;
                    break;
                case 'I' when !afterSameType:
                    _hasInsideStart = true;
                    break;
            }

            previous = tag;
        }
    }

    /// <summary>The scheme the observed tags are written in (IOB2 when there is no evidence yet).</summary>
    public LabelScheme DetectedScheme =>
        _hasBioesPrefix ? LabelScheme.Bioes
        : _hasBeginStart ? LabelScheme.Iob2
        : _hasInsideStart ? LabelScheme.Iob1
        : LabelScheme.Iob2;
}
