using System.Text;

namespace NerClassify.Metrics;

/// <summary>
/// seqeval's default mode (<c>get_entities</c>, seqeval 1.2): the first character of a tag is its tag, and the type is
/// what follows the first hyphen after it (or the rest, if there is none), <c>_</c> when empty. Any non-empty tag is
/// accepted, as seqeval accepts it (with a warning): <c>X</c> is tag <c>X</c> of type <c>_</c>, <c>O-PER</c> tag
/// <c>O</c> of type <c>PER</c>, <c>b-PER</c> tag <c>b</c>. A corpus is read as seqeval reads a list of sentences:
/// one sequence with an <c>O</c> after each sentence.
/// </summary>
internal static class SeqevalChunks
{
    /// <summary>Splits a tag as seqeval does: <c>(chunk[0], chunk[1:].split('-', 1)[-1] or '_')</c>.</summary>
    public static (string Tag, string Type) Split(string chunk)
    {
        string tag = Rune.GetRuneAt(chunk, 0).ToString();
        string rest = chunk[tag.Length..];
        int hyphen = rest.IndexOf('-', StringComparison.Ordinal);
        string type = hyphen < 0 ? rest : rest[(hyphen + 1)..];
        return (tag, type.Length == 0 ? ParsedTag.UntypedType : type);
    }

    /// <summary>seqeval's <c>end_of_chunk</c>.</summary>
    public static bool EndOfChunk(string previousTag, string tag, string previousType, string type) =>
        previousTag is "E" or "S"
        || (previousTag, tag) is ("B", "B") or ("B", "S") or ("B", "O") or ("I", "B") or ("I", "S") or ("I", "O")
        || (previousTag is not ("O" or ".") && !string.Equals(previousType, type, StringComparison.Ordinal));

    /// <summary>seqeval's <c>start_of_chunk</c>.</summary>
    public static bool StartOfChunk(string previousTag, string tag, string previousType, string type) =>
        tag is "B" or "S"
        || (previousTag, tag) is ("E", "E") or ("E", "I") or ("S", "E") or ("S", "I") or ("O", "E") or ("O", "I")
        || (tag is not ("O" or ".") && !string.Equals(previousType, type, StringComparison.Ordinal));

    /// <summary>
    /// The chunks of one sequence, in the order seqeval finds them (by their end), with exclusive ends. As in seqeval,
    /// a chunk that ends without a start of its own (possible only with tags outside the grammar) begins where the last
    /// chunk began.
    /// </summary>
    public static List<Entity> Entities(IEnumerable<string> tags)
    {
        var chunks = new List<Entity>();
        var previousTag = "O";
        var previousType = string.Empty;
        var begin = 0;
        var i = 0;
        foreach (string chunk in tags.Append("O"))
        {
            (string tag, string type) = Split(chunk);
            if (EndOfChunk(previousTag, tag, previousType, type))
            {
                chunks.Add(new Entity(previousType, begin, i));
            }

            if (StartOfChunk(previousTag, tag, previousType, type))
            {
                begin = i;
            }

            (previousTag, previousType) = (tag, type);
            i++;
        }

        return chunks;
    }

    /// <summary>
    /// Counts as seqeval's default mode: the sentences joined with an <c>O</c> after each, the chunks of each side kept
    /// as a set per type, a predicted chunk correct when the gold set of its type holds it.
    /// </summary>
    public static Dictionary<string, TypeCounts> Count(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<IReadOnlyList<string>> predicted)
    {
        var goldSet = new HashSet<Entity>(Entities(gold.SelectMany(sentence => sentence.Append("O"))));
        var predictedSet = new HashSet<Entity>(Entities(predicted.SelectMany(sentence => sentence.Append("O"))));
        var counts = new Dictionary<string, TypeCounts>(StringComparer.Ordinal);
        foreach (Entity entity in goldSet)
        {
            CountsOf(counts, entity.Type).Gold++;
        }

        foreach (Entity entity in predictedSet)
        {
            TypeCounts typeCounts = CountsOf(counts, entity.Type);
            typeCounts.Predicted++;
            if (goldSet.Contains(entity))
            {
                typeCounts.Correct++;
            }
        }

        return counts;
    }

    private static TypeCounts CountsOf(Dictionary<string, TypeCounts> counts, string type)
    {
        if (!counts.TryGetValue(type, out var typeCounts))
        {
            typeCounts = new TypeCounts();
            counts.Add(type, typeCounts);
        }

        return typeCounts;
    }
}
