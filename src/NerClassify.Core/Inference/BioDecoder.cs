namespace NerClassify.Inference;

/// <summary>
/// Decodes word-level label scores into a tag sequence that never holds an ill-formed entity: Viterbi over
/// the transitions the tag scheme allows (IOB2: <c>I-X</c> only after <c>B-X</c> or <c>I-X</c>; BIOES also
/// closes every entity with <c>E-X</c> or <c>S-X</c>).
/// </summary>
internal sealed class BioDecoder
{
    private readonly bool[,] _allowed;
    private readonly bool[] _canStart;
    private readonly bool[] _canEnd;
    private readonly CrfDecoder _viterbi;

    public BioDecoder(IReadOnlyList<string> labels)
    {
        int count = labels.Count;
        (char Prefix, string Type)[] parsed = labels.Select(Parse).ToArray();
        bool bioes = parsed.Any(l => l.Prefix is 'E' or 'S');
        _allowed = new bool[count, count];
        _canStart = new bool[count];
        _canEnd = new bool[count];
        for (int to = 0; to < count; to++)
        {
            char prefix = parsed[to].Prefix;
            _canStart[to] = prefix is 'O' or 'B' or 'S';
            _canEnd[to] = prefix is 'O' or 'E' or 'S' || (prefix is 'B' or 'I' && !bioes);
            for (int from = 0; from < count; from++)
            {
                _allowed[from, to] = IsAllowed(parsed[from], parsed[to], bioes);
            }
        }

        // Viterbi with no learned scores: every allowed transition, start and end scores 0, every forbidden one minus
        // infinity, so the best path is the most probable well-formed one.
        _viterbi = new CrfDecoder(new float[count * count], new float[count], new float[count]).Constrain(this);
    }

    /// <summary>Number of labels.</summary>
    public int LabelCount => _canStart.Length;

    /// <summary>Whether label <paramref name="to"/> may follow label <paramref name="from"/>.</summary>
    public bool Allows(int from, int to) => _allowed[from, to];

    /// <summary>Whether a sentence may start with <paramref name="label"/>.</summary>
    public bool CanStart(int label) => _canStart[label];

    /// <summary>Whether a sentence may end with <paramref name="label"/>.</summary>
    public bool CanEnd(int label) => _canEnd[label];

    /// <summary>The best allowed path through <paramref name="logProbabilities"/> ([words][labels]).</summary>
    public int[] Decode(IReadOnlyList<float[]> logProbabilities) => _viterbi.Decode(logProbabilities);

    private static bool IsAllowed((char Prefix, string Type) from, (char Prefix, string Type) to, bool bioes)
    {
        bool inside = to.Prefix is 'I' or 'E';
        if (!bioes)
        {
            return to.Prefix != 'I' || (from.Prefix is 'B' or 'I' && from.Type == to.Type);
        }

        bool open = from.Prefix is 'B' or 'I';
        return open ? inside && from.Type == to.Type : !inside;
    }

    private static (char Prefix, string Type) Parse(string label) =>
        Data.EntityTag.TryParse(label, out char prefix, out ReadOnlySpan<char> type) ? (prefix, type.ToString()) : ('O', string.Empty);
}
