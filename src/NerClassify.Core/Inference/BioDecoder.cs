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
    public int[] Decode(IReadOnlyList<float[]> logProbabilities)
    {
        int words = logProbabilities.Count;
        if (words == 0)
        {
            return [];
        }

        int labels = logProbabilities[0].Length;
        var score = new double[words, labels];
        var back = new int[words, labels];
        for (int label = 0; label < labels; label++)
        {
            score[0, label] = _canStart[label] ? logProbabilities[0][label] : double.NegativeInfinity;
        }

        for (int word = 1; word < words; word++)
        {
            for (int to = 0; to < labels; to++)
            {
                double best = double.NegativeInfinity;
                int bestFrom = 0;
                for (int from = 0; from < labels; from++)
                {
                    if (_allowed[from, to] && score[word - 1, from] > best)
                    {
                        best = score[word - 1, from];
                        bestFrom = from;
                    }
                }

                score[word, to] = best + logProbabilities[word][to];
                back[word, to] = bestFrom;
            }
        }

        int last = 0;
        double bestFinal = double.NegativeInfinity;
        for (int label = 0; label < labels; label++)
        {
            if (_canEnd[label] && score[words - 1, label] > bestFinal)
            {
                bestFinal = score[words - 1, label];
                last = label;
            }
        }

        var path = new int[words];
        path[words - 1] = last;
        for (int word = words - 1; word > 0; word--)
        {
            path[word - 1] = back[word, path[word]];
        }

        return path;
    }

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
