using NerClassify.Data;

namespace NerClassify.Metrics;

/// <summary>
/// Reads entities out of one sentence of word-level tags (<c>B-PER</c>, <c>I-LOC</c>, <c>E-ORG</c>,
/// <c>S-MISC</c>, <c>O</c>, and untyped <c>B</c>, <c>I</c>, <c>E</c>, <c>S</c>, read as type <c>_</c> by seqeval and as
/// the empty type by conlleval.pl). Lenient and conlleval modes read any non-empty tag, as those tools do.
/// </summary>
internal static class EntityExtractor
{
    /// <summary>
    /// Returns the entities of one sentence, in order of their start.
    /// </summary>
    /// <param name="tags">One tag per word.</param>
    /// <param name="scheme">The label scheme; consulted only in <see cref="EntityMatchingMode.Strict"/> mode.</param>
    /// <param name="mode">Whether to read tags as seqeval's default mode, as conlleval.pl, or to keep only well-formed entities.</param>
    /// <returns>The entities; <see cref="Entity.End"/> is exclusive.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tags"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A tag is null or empty, or (strict mode) malformed or with a prefix that is not part of <paramref name="scheme"/>.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scheme"/> or <paramref name="mode"/> is undefined.</exception>
    public static IReadOnlyList<Entity> Extract(
        IReadOnlyList<string> tags,
        LabelScheme scheme = LabelScheme.Iob2,
        EntityMatchingMode mode = EntityMatchingMode.Lenient)
    {
        ArgumentNullException.ThrowIfNull(tags);
        CheckOptions(scheme, mode);
        return Extract(tags, scheme, mode, nameof(tags), sentence: null);
    }

    /// <summary>Throws when <paramref name="scheme"/> or <paramref name="mode"/> is not a defined value.</summary>
    internal static void CheckOptions(LabelScheme scheme, EntityMatchingMode mode)
    {
        if (!Enum.IsDefined(scheme))
        {
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown label scheme.");
        }

        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown matching mode.");
        }
    }

    /// <summary>Extracts entities, naming <paramref name="paramName"/> and <paramref name="sentence"/> in errors.</summary>
    internal static List<Entity> Extract(
        IReadOnlyList<string> tags,
        LabelScheme scheme,
        EntityMatchingMode mode,
        string paramName,
        int? sentence)
    {
        if (mode != EntityMatchingMode.Strict)
        {
            // seqeval and conlleval.pl read any non-empty tag; their own rules decide what it means.
            CheckPresent(tags, paramName, sentence);
            return mode == EntityMatchingMode.Lenient
                ? SeqevalChunks.Entities(tags).OrderBy(e => e.Start).ToList()
                : ExtractConlleval(tags);
        }

        var parsed = new ParsedTag[tags.Count];
        for (var i = 0; i < parsed.Length; i++)
        {
            parsed[i] = ParsedTag.Parse(tags[i], paramName, sentence, i);
            if (mode == EntityMatchingMode.Strict && !IsAllowed(parsed[i].Prefix, scheme))
            {
                throw new ArgumentException(
                    $"{ParsedTag.Where(sentence, i)} holds '{tags[i]}', but {scheme} has no {parsed[i].Prefix}- tags.",
                    paramName);
            }
        }

        return scheme switch
        {
            LabelScheme.Iob1 => ExtractStrictIob1(parsed),
            LabelScheme.Iob2 => ExtractStrictIob2(parsed),
            _ => ExtractStrictBioes(parsed),
        };
    }

    /// <summary>Throws, naming the position, when a tag is null or empty: neither seqeval nor conlleval.pl can read one.</summary>
    internal static void CheckPresent(IReadOnlyList<string> tags, string paramName, int? sentence)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            if (string.IsNullOrEmpty(tags[i]))
            {
                throw new ArgumentException($"{ParsedTag.Where(sentence, i)} holds {(tags[i] is null ? "a null" : "an empty")} tag.", paramName);
            }
        }
    }

    private static bool IsAllowed(char prefix, LabelScheme scheme) =>
        scheme == LabelScheme.Bioes || prefix is 'B' or 'I' or ParsedTag.Outside;

    // conlleval.pl's chunks of one sentence: a chunk opens where startOfChunk says, and closes where endOfChunk says or
    // where another starts. conlleval.pl does not close a chunk at the sentence boundary after an untyped S or E (its
    // rules know no S, and give O no type); here the sentence end closes it. EntityMetrics counts as conlleval.pl.
    private static List<Entity> ExtractConlleval(IReadOnlyList<string> tags)
    {
        var entities = new List<Entity>();
        var openStart = -1;
        var openType = string.Empty;
        var previousTag = "O";
        var previousType = string.Empty;
        for (var i = 0; i < tags.Count; i++)
        {
            (string tag, string type) = ConllevalChunks.Split(tags[i]);
            var ends = ConllevalChunks.EndOfChunk(previousTag, tag, previousType, type);
            var starts = ConllevalChunks.StartOfChunk(previousTag, tag, previousType, type);
            if (openStart >= 0 && (ends || starts))
            {
                entities.Add(new Entity(openType, openStart, i));
                openStart = -1;
            }

            if (starts)
            {
                (openStart, openType) = (i, type);
            }

            (previousTag, previousType) = (tag, type);
        }

        if (openStart >= 0)
        {
            entities.Add(new Entity(openType, openStart, tags.Count));
        }

        return entities;
    }

    // IOB2: an entity is B-X followed by any number of I-X. An I- that does not continue such a run
    // belongs to no entity.
    private static List<Entity> ExtractStrictIob2(ParsedTag[] tags)
    {
        var entities = new List<Entity>();
        var i = 0;
        while (i < tags.Length)
        {
            if (tags[i].Prefix != 'B')
            {
                i++;
                continue;
            }

            var end = ContinueInside(tags, i);
            entities.Add(new Entity(tags[i].Type, i, end));
            i = end;
        }

        return entities;
    }

    // IOB1: I-X continues an open X entity or else starts one; B-X is legal only right after a token of
    // type X, where it starts a new entity. An illegal B-X belongs to no entity, so an I-X after it
    // starts afresh. seqeval also drops a legal B-X entity when a B-Y of another type follows it; here
    // the entity stays, since it is well formed and only the B-Y is not.
    private static List<Entity> ExtractStrictIob1(ParsedTag[] tags)
    {
        var entities = new List<Entity>();
        var openStart = -1;
        for (var i = 0; i < tags.Length; i++)
        {
            var tag = tags[i];
            var continues = openStart >= 0
                && tag.Prefix == 'I'
                && string.Equals(tag.Type, tags[i - 1].Type, StringComparison.Ordinal);
            if (continues)
            {
                continue;
            }

            if (openStart >= 0)
            {
                entities.Add(new Entity(tags[i - 1].Type, openStart, i));
                openStart = -1;
            }

            var starts = tag.Prefix switch
            {
                'I' => true,
                'B' => i > 0 && !tags[i - 1].IsOutside && string.Equals(tags[i - 1].Type, tag.Type, StringComparison.Ordinal),
                _ => false,
            };
            if (starts)
            {
                openStart = i;
            }
        }

        if (openStart >= 0)
        {
            entities.Add(new Entity(tags[^1].Type, openStart, tags.Length));
        }

        return entities;
    }

    // BIOES: an entity is S-X, or B-X, any number of I-X, then E-X. A B-X run that is not closed by E-X
    // yields nothing, and the tag that broke it is read again, since it may start an entity itself.
    private static List<Entity> ExtractStrictBioes(ParsedTag[] tags)
    {
        var entities = new List<Entity>();
        var i = 0;
        while (i < tags.Length)
        {
            var tag = tags[i];
            if (tag.Prefix == 'S')
            {
                entities.Add(new Entity(tag.Type, i, i + 1));
                i++;
            }
            else if (tag.Prefix == 'B')
            {
                var next = ContinueInside(tags, i);
                var closed = next < tags.Length
                    && tags[next].Prefix == 'E'
                    && string.Equals(tags[next].Type, tag.Type, StringComparison.Ordinal);
                if (closed)
                {
                    entities.Add(new Entity(tag.Type, i, next + 1));
                    i = next + 1;
                }
                else
                {
                    i = next;
                }
            }
            else
            {
                i++;
            }
        }

        return entities;
    }

    // Index of the first tag after start that is not an I- of the same type as tags[start].
    private static int ContinueInside(ParsedTag[] tags, int start)
    {
        var end = start + 1;
        while (end < tags.Length
            && tags[end].Prefix == 'I'
            && string.Equals(tags[end].Type, tags[start].Type, StringComparison.Ordinal))
        {
            end++;
        }

        return end;
    }
}
