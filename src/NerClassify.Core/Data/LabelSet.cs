namespace NerClassify.Data;

/// <summary>
/// A fixed, ordered set of labels with their integer ids (the model's <c>id2label</c>/<c>label2id</c>).
/// </summary>
/// <remarks>Token label sets built from data put <c>O</c> first (id 0), then the entity tags by type and prefix.</remarks>
public sealed class LabelSet
{
    private static readonly string Prefixes = "BIES";
    private readonly string[] _labels;
    private readonly Dictionary<string, int> _ids;

    private LabelSet(string[] labels)
    {
        _labels = labels;
        _ids = new Dictionary<string, int>(labels.Length, StringComparer.Ordinal);
        for (int i = 0; i < labels.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(labels[i]))
            {
                throw new ArgumentException($"Label {i} is empty.", "labels");
            }

            if (!_ids.TryAdd(labels[i], i))
            {
                throw new ArgumentException($"Label '{labels[i]}' is given twice.", "labels");
            }
        }
    }

    /// <summary>The labels, in id order.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>The number of labels.</summary>
    public int Count => _labels.Length;

    /// <summary>
    /// The entity types the tags name (<c>PER</c> for <c>B-PER</c> and <c>I-PER</c>), each once, in the order of their
    /// first tag; empty for a sentence label set (labels that are not tags are skipped).
    /// </summary>
    public IReadOnlyList<string> EntityTypes
    {
        get
        {
            var types = new List<string>();
            foreach (string label in _labels)
            {
                if (label != EntityTag.Outside && EntityTag.TryParse(label, out _, out ReadOnlySpan<char> type) && !types.Contains(type.ToString(), StringComparer.Ordinal))
                {
                    types.Add(type.ToString());
                }
            }

            return types;
        }
    }

    /// <summary>Creates a label set with exactly the given labels in the given order (for example a checkpoint's <c>id2label</c>).</summary>
    /// <param name="labels">Distinct, non-empty labels; label <c>i</c> gets id <c>i</c>.</param>
    /// <returns>The label set.</returns>
    /// <exception cref="ArgumentException">A label is empty or repeated, or there are none.</exception>
    public static LabelSet FromLabels(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        string[] array = labels.ToArray();
        if (array.Length == 0)
        {
            throw new ArgumentException("A label set needs at least one label.", nameof(labels));
        }

        return new LabelSet(array);
    }

    /// <summary>Creates the token label set of the tags found in the sentences: <c>O</c> first, then the other tags sorted by type, then prefix (B, I, E, S).</summary>
    /// <param name="sentences">The sentences whose tags to collect.</param>
    /// <returns>The label set.</returns>
    public static LabelSet FromSentences(IEnumerable<ConllSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return FromTags(sentences.SelectMany(s => s.Tags));
    }

    /// <summary>Creates a token label set from tags: <c>O</c> first (always present), then the other tags sorted by type, then prefix (B, I, E, S).</summary>
    /// <param name="tags">Tags in any order, with repeats.</param>
    /// <returns>The label set.</returns>
    public static LabelSet FromTags(IEnumerable<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (string tag in tags)
        {
            distinct.Add(tag);
        }

        distinct.Remove(EntityTag.Outside);
        var sorted = distinct.ToList();
        sorted.Sort(CompareTags);
        sorted.Insert(0, EntityTag.Outside);
        return new LabelSet([.. sorted]);
    }

    /// <summary>Creates the full token label set for entity types under a scheme: <c>O</c>, then for each type in the given order its B-, I- (and E-, S- for BIOES) tags.</summary>
    /// <param name="entityTypes">Entity types such as <c>PER</c>, in the order wanted.</param>
    /// <param name="scheme">The tag scheme.</param>
    /// <returns>The label set.</returns>
    public static LabelSet FromEntityTypes(IEnumerable<string> entityTypes, LabelScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(entityTypes);
        var labels = new List<string> { EntityTag.Outside };
        string prefixes = scheme == LabelScheme.Bioes ? Prefixes : Prefixes[..2];
        foreach (string type in entityTypes)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(type, nameof(entityTypes));
            foreach (char prefix in prefixes)
            {
                labels.Add($"{prefix}-{type}");
            }
        }

        return new LabelSet([.. labels]);
    }

    /// <summary>The label of an id.</summary>
    /// <param name="id">An id in [0, <see cref="Count"/>).</param>
    /// <returns>The label.</returns>
    public string GetLabel(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, _labels.Length);
        return _labels[id];
    }

    /// <summary>Whether the set holds <paramref name="label"/>, and its id.</summary>
    /// <param name="label">The label.</param>
    /// <param name="id">The id, or -1.</param>
    /// <returns>Whether the label is in the set.</returns>
    public bool TryGetId(string label, out int id)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (_ids.TryGetValue(label, out id))
        {
            return true;
        }

        id = -1;
        return false;
    }

    /// <summary>The id of a label.</summary>
    /// <param name="label">The label.</param>
    /// <returns>The id.</returns>
    /// <exception cref="KeyNotFoundException">The label is not in the set; the message names it and the set.</exception>
    public int GetId(string label) =>
        TryGetId(label, out int id) ? id : throw new KeyNotFoundException($"Label '{label}' is not in the label set ({Describe()}).");

    /// <summary>The ids of a sentence's tags.</summary>
    /// <param name="sentence">The sentence.</param>
    /// <param name="fileName">The file name used in messages, if known.</param>
    /// <returns>One id per word.</returns>
    /// <exception cref="FormatException">A tag is not in the set; the message names the tag and, when known, <c>file:line</c>.</exception>
    public int[] Encode(ConllSentence sentence, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var ids = new int[sentence.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            string tag = sentence.Tags[i];
            if (!_ids.TryGetValue(tag, out ids[i]))
            {
                string where = sentence.LineNumber > 0 ? $"{fileName ?? "<input>"}:{sentence.LineNumber + i}: " : fileName is null ? "" : $"{fileName}: ";
                throw new FormatException($"{where}tag '{tag}' of sentence {sentence.Index} is not in the label set ({Describe()}).");
            }
        }

        return ids;
    }

    /// <summary>The id of a sentence label read from a file.</summary>
    /// <param name="label">The label.</param>
    /// <param name="fileName">The file name used in messages.</param>
    /// <param name="lineNumber">The 1-based line of the label.</param>
    /// <returns>The id.</returns>
    /// <exception cref="FormatException">The label is not in the set; the message names it and <c>file:line</c>.</exception>
    public int Encode(string label, string fileName, int lineNumber)
    {
        ArgumentNullException.ThrowIfNull(label);
        return _ids.TryGetValue(label, out int id)
            ? id
            : throw new FormatException($"{fileName}:{lineNumber}: label '{label}' is not in the label set ({Describe()}).");
    }

    /// <summary>Lists the labels in id order.</summary>
    /// <returns>The labels separated by commas.</returns>
    public override string ToString() => string.Join(", ", _labels);

    private string Describe() => _labels.Length <= 40 ? string.Join(", ", _labels) : $"{_labels.Length} labels";

    private static int CompareTags(string a, string b)
    {
        bool aEntity = EntityTag.IsWellFormed(a);
        bool bEntity = EntityTag.IsWellFormed(b);
        if (!aEntity || !bEntity)
        {
            return aEntity == bEntity ? string.CompareOrdinal(a, b) : aEntity ? -1 : 1;
        }

        int byType = EntityTag.Type(a).SequenceCompareTo(EntityTag.Type(b));
        return byType != 0 ? byType : Prefixes.IndexOf(a[0]).CompareTo(Prefixes.IndexOf(b[0]));
    }
}
