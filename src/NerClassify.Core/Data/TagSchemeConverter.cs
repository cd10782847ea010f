namespace NerClassify.Data;

/// <summary>Converts tag sequences between IOB1, IOB2 and BIOES.</summary>
/// <remarks>
/// Input tags are read leniently, whatever their scheme: <c>B-X</c> and <c>S-X</c> start an entity, <c>I-X</c> and
/// <c>E-X</c> continue an open entity of type X or else start one, <c>E-X</c> and <c>S-X</c> close it, <c>O</c> closes any.
/// Valid sequences of every scheme therefore convert without loss, and conversions round-trip.
/// </remarks>
internal static class TagSchemeConverter
{
    /// <summary>Rewrites <paramref name="tags"/> in <paramref name="target"/>.</summary>
    /// <param name="tags">Well-formed tags (<c>O</c> or B/I/E/S, a hyphen and a type) in any scheme.</param>
    /// <param name="target">The scheme to write.</param>
    /// <returns>A new array with one tag per input tag.</returns>
    /// <exception cref="ArgumentException">A tag is not well-formed.</exception>
    public static string[] Convert(IReadOnlyList<string> tags, LabelScheme target)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var result = new string[tags.Count];
        var spans = Decode(tags);
        Array.Fill(result, EntityTag.Outside);
        int previousEnd = -1;
        string? previousType = null;
        foreach (var (start, end, type) in spans)
        {
            switch (target)
            {
                case LabelScheme.Iob2:
                    result[start] = Tag('B', type);
                    for (int i = start + 1; i < end; i++) result[i] = Tag('I', type);
                    break;
                case LabelScheme.Iob1:
                    bool touchesSameType = previousEnd == start && previousType == type;
                    result[start] = Tag(touchesSameType ? 'B' : 'I', type);
                    for (int i = start + 1; i < end; i++) result[i] = Tag('I', type);
                    break;
                case LabelScheme.Bioes:
                    if (end - start == 1)
                    {
                        result[start] = Tag('S', type);
                    }
                    else
                    {
                        result[start] = Tag('B', type);
                        for (int i = start + 1; i < end - 1; i++) result[i] = Tag('I', type);
                        result[end - 1] = Tag('E', type);
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown label scheme.");
            }

            previousEnd = end;
            previousType = type;
        }

        return result;
    }

    /// <summary>Reads entity spans leniently from tags of any scheme.</summary>
    /// <param name="tags">Well-formed tags.</param>
    /// <returns>Spans as (start, exclusive end, type), in order.</returns>
    /// <exception cref="ArgumentException">A tag is not well-formed.</exception>
    public static IReadOnlyList<(int Start, int End, string Type)> Decode(IReadOnlyList<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var spans = new List<(int, int, string)>();
        int openStart = -1;
        string? openType = null;
        for (int i = 0; i < tags.Count; i++)
        {
            string tag = tags[i] ?? throw new ArgumentException($"Tag {i} is null.", nameof(tags));
            if (!EntityTag.IsWellFormed(tag))
            {
                throw new ArgumentException($"Tag '{tag}' at position {i} is not O, an untyped B, I, E or S, or B-/I-/E-/S- followed by a type.", nameof(tags));
            }

            char prefix = EntityTag.Prefix(tag);
            if (prefix == 'O')
            {
                Close(i);
                continue;
            }

            // An untyped tag (B, I, E, S) has the empty type here, so it converts back to an untyped tag.
            string type = EntityTag.IsUntyped(tag) ? string.Empty : tag[2..];
            bool continues = openType is not null && (prefix is 'I' or 'E') && type == openType;
            if (!continues)
            {
                Close(i);
                openStart = i;
                openType = type;
            }

            if (prefix is 'E' or 'S')
            {
                Close(i + 1);
            }
        }

        Close(tags.Count);
        return spans;

        void Close(int end)
        {
            if (openType is not null)
            {
                spans.Add((openStart, end, openType));
                openType = null;
            }
        }
    }

    private static string Tag(char prefix, string type) => type.Length == 0 ? prefix.ToString() : $"{prefix}-{type}";
}
