namespace NerClassify.Data;

/// <summary>Finds tags that break the transition rules of a scheme.</summary>
internal static class TagTransitionValidator
{
    /// <summary>Whether a well-formed tag may appear at all in <paramref name="scheme"/>.</summary>
    public static bool IsAllowedPrefix(string tag, LabelScheme scheme) =>
        scheme == LabelScheme.Bioes || EntityTag.Prefix(tag) is 'O' or 'B' or 'I';

    /// <summary>Returns the positions whose tag breaks the rules of <paramref name="scheme"/>, or null when there are none.</summary>
    public static List<int>? FindViolations(IReadOnlyList<string> tags, LabelScheme scheme)
    {
        List<int>? violations = null;
        string previous = EntityTag.Outside;
        for (int i = 0; i < tags.Count; i++)
        {
            string tag = tags[i];
            char prefix = EntityTag.Prefix(tag);
            char previousPrefix = EntityTag.Prefix(previous);
            bool continuesOpen = previousPrefix is 'B' or 'I' && EntityTag.SameType(previous, tag);
            bool ok = scheme switch
            {
                // IOB2: an entity always starts with B-, so I-X needs an open X entity before it.
                LabelScheme.Iob2 => prefix != 'I' || continuesOpen,

                // IOB1: B-X only separates two adjacent X entities.
                LabelScheme.Iob1 => prefix != 'B' || continuesOpen,

                // BIOES: I-/E- continue an open entity; anything else needs the previous entity closed.
                _ => prefix is 'I' or 'E' ? continuesOpen : previousPrefix is not ('B' or 'I'),
            };
            if (!ok)
            {
                (violations ??= []).Add(i);
            }

            previous = tag;
        }

        if (scheme == LabelScheme.Bioes && EntityTag.Prefix(previous) is 'B' or 'I' && (violations is null || violations[^1] != tags.Count - 1))
        {
            (violations ??= []).Add(tags.Count - 1);
        }

        return violations;
    }
}
