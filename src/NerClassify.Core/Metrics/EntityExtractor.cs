using NerClassify.Data;

namespace NerClassify.Metrics;

/// <summary>
/// Reads entities out of one sentence of word-level tags (<c>B-PER</c>, <c>I-LOC</c>, <c>E-ORG</c>,
/// <c>S-MISC</c>, <c>O</c>, and untyped <c>B</c>, <c>I</c>, <c>E</c>, <c>S</c>, read as type <c>_</c>).
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
    /// A tag is null or malformed, or (strict mode) its prefix is not part of <paramref name="scheme"/>.
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

        return (mode, scheme) switch
        {
            (EntityMatchingMode.Lenient, _) => ExtractLenient(parsed),
            (EntityMatchingMode.Conlleval, _) => ExtractConlleval(parsed),
            (_, LabelScheme.Iob1) => ExtractStrictIob1(parsed),
            (_, LabelScheme.Iob2) => ExtractStrictIob2(parsed),
            _ => ExtractStrictBioes(parsed),
        };
    }

    private static bool IsAllowed(char prefix, LabelScheme scheme) =>
        scheme == LabelScheme.Bioes || prefix is 'B' or 'I' or ParsedTag.Outside;

    // conlleval.pl's chunk boundaries. Between each pair of neighbouring tags (the first tag follows an O, as after
    // conlleval's sentence boundary) a chunk may end and one may start, each decided by a fixed table of prefix pairs
    // or by a change of type. S- appears in neither table, which is where this differs from seqeval.
    private static List<Entity> ExtractConlleval(ParsedTag[] tags)
    {
        var entities = new List<Entity>();
        var openStart = -1;
        var previousPrefix = ParsedTag.Outside;
        var previousType = string.Empty;
        for (var i = 0; i < tags.Length; i++)
        {
            var prefix = tags[i].Prefix;
            var type = tags[i].ConllevalType;
            var typeChanges = !string.Equals(previousType, type, StringComparison.Ordinal);
            var ends = (previousPrefix, prefix) is ('B', 'B') or ('B', 'O') or ('I', 'B') or ('I', 'O') or ('E', 'E') or ('E', 'I') or ('E', 'O')
                || (previousPrefix != ParsedTag.Outside && typeChanges);
            var starts = (previousPrefix, prefix) is ('B', 'B') or ('I', 'B') or ('O', 'B') or ('O', 'I') or ('O', 'E') or ('E', 'E') or ('E', 'I')
                || (prefix != ParsedTag.Outside && typeChanges);

            // A start without an end closes the open chunk too; with typed tags every start after a chunk is also an end.
            if (openStart >= 0 && (ends || starts))
            {
                entities.Add(new Entity(tags[openStart].Type, openStart, i));
                openStart = -1;
            }

            if (starts)
            {
                openStart = i;
            }

            previousPrefix = prefix;
            previousType = type;
        }

        if (openStart >= 0)
        {
            entities.Add(new Entity(tags[openStart].Type, openStart, tags.Length));
        }

        return entities;
    }

    // seqeval's default mode (conlleval's rules plus its own for S- and E-). A chunk closes before the current
    // tag when the previous tag closed it (E, S), when the current tag cannot continue it (O, B, S) or
    // when the type changes. Every non-O tag that does not continue an open chunk starts one, which is
    // why a stray I-X or E-X still yields an entity here.
    private static List<Entity> ExtractLenient(ParsedTag[] tags)
    {
        var entities = new List<Entity>();
        var openStart = -1;
        for (var i = 0; i < tags.Length; i++)
        {
            var tag = tags[i];
            if (openStart >= 0)
            {
                var previous = tags[i - 1];
                var closes = previous.Prefix is 'E' or 'S'
                    || tag.Prefix is ParsedTag.Outside or 'B' or 'S'
                    || !string.Equals(tag.Type, previous.Type, StringComparison.Ordinal);
                if (closes)
                {
                    entities.Add(new Entity(previous.Type, openStart, i));
                    openStart = -1;
                }
            }

            if (openStart < 0 && !tag.IsOutside)
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
