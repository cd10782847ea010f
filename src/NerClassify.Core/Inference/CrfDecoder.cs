namespace NerClassify.Inference;

/// <summary>
/// Viterbi decoding of a linear-chain CRF: the tag path that maximises start + emissions + learned transitions +
/// end. Emissions may be log-probabilities: a log-softmax shifts every label of a word by the same constant, which
/// leaves the best path unchanged.
/// </summary>
internal sealed class CrfDecoder
{
    private readonly float[] _transitions;
    private readonly float[] _start;
    private readonly float[] _end;

    /// <summary>A decoder over <paramref name="start"/>.Length labels.</summary>
    /// <param name="transitions">[from * L + to], row-major [L, L].</param>
    /// <param name="start">[L] start scores.</param>
    /// <param name="end">[L] end scores.</param>
    public CrfDecoder(float[] transitions, float[] start, float[] end)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        if (end.Length != start.Length || transitions.Length != start.Length * start.Length)
        {
            throw new ArgumentException($"A CRF over {start.Length} labels needs {start.Length} end scores and {start.Length * start.Length} transitions; got {end.Length} and {transitions.Length}.", nameof(transitions));
        }

        _transitions = transitions;
        _start = start;
        _end = end;
    }

    /// <summary>The scores as JSON (<see cref="OnnxMetadataKeys.Crf"/>).</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(new StoredScores(_transitions, _start, _end));

    /// <summary>Reads scores written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON.</param>
    /// <param name="source">The file, for messages.</param>
    /// <exception cref="InvalidDataException">The JSON is malformed or the sizes disagree; the message names <paramref name="source"/>.</exception>
    public static CrfDecoder FromJson(string json, string source)
    {
        try
        {
            StoredScores stored = System.Text.Json.JsonSerializer.Deserialize<StoredScores>(json)
                ?? throw new InvalidDataException($"'{source}': the CRF scores are null.");
            return new CrfDecoder(
                stored.Transitions ?? throw new InvalidDataException($"'{source}': the CRF has no transitions."),
                stored.Start ?? throw new InvalidDataException($"'{source}': the CRF has no start scores."),
                stored.End ?? throw new InvalidDataException($"'{source}': the CRF has no end scores."));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException)
        {
            throw new InvalidDataException($"'{source}': the CRF scores are not valid: {e.Message}", e);
        }
    }

    /// <summary>Number of labels.</summary>
    public int LabelCount => _start.Length;

    /// <summary>
    /// This decoder with the transitions, starts and ends that <paramref name="constraints"/> forbid scored
    /// minus infinity, so the learned scores can never produce an ill-formed entity.
    /// </summary>
    public CrfDecoder Constrain(BioDecoder constraints)
    {
        ArgumentNullException.ThrowIfNull(constraints);
        int labels = LabelCount;
        if (constraints.LabelCount != labels)
        {
            throw new ArgumentException($"The constraints cover {constraints.LabelCount} labels; the CRF has {labels}.", nameof(constraints));
        }

        var transitions = new float[labels * labels];
        var start = new float[labels];
        var end = new float[labels];
        for (int from = 0; from < labels; from++)
        {
            start[from] = constraints.CanStart(from) ? _start[from] : float.NegativeInfinity;
            end[from] = constraints.CanEnd(from) ? _end[from] : float.NegativeInfinity;
            for (int to = 0; to < labels; to++)
            {
                int at = (from * labels) + to;
                transitions[at] = constraints.Allows(from, to) ? _transitions[at] : float.NegativeInfinity;
            }
        }

        return new CrfDecoder(transitions, start, end);
    }

    /// <summary>The best path through <paramref name="emissions"/> ([words][labels]).</summary>
    public int[] Decode(IReadOnlyList<float[]> emissions)
    {
        ArgumentNullException.ThrowIfNull(emissions);
        int words = emissions.Count;
        if (words == 0)
        {
            return [];
        }

        int labels = LabelCount;
        if (emissions.Any(e => e.Length != labels))
        {
            throw new ArgumentException($"Every word needs {labels} scores.", nameof(emissions));
        }

        var score = new double[labels];
        var next = new double[labels];
        var back = new int[words, labels];
        for (int label = 0; label < labels; label++)
        {
            score[label] = (double)_start[label] + emissions[0][label];
        }

        for (int word = 1; word < words; word++)
        {
            for (int to = 0; to < labels; to++)
            {
                double best = double.NegativeInfinity;
                int bestFrom = 0;
                for (int from = 0; from < labels; from++)
                {
                    double candidate = score[from] + _transitions[(from * labels) + to];
                    if (candidate > best)
                    {
                        best = candidate;
                        bestFrom = from;
                    }
                }

                next[to] = best + emissions[word][to];
                back[word, to] = bestFrom;
            }

            (score, next) = (next, score);
        }

        int last = 0;
        double bestFinal = double.NegativeInfinity;
        for (int label = 0; label < labels; label++)
        {
            double candidate = score[label] + _end[label];
            if (candidate > bestFinal)
            {
                bestFinal = candidate;
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

    private sealed record StoredScores(
        [property: System.Text.Json.Serialization.JsonPropertyName("transitions")] float[]? Transitions,
        [property: System.Text.Json.Serialization.JsonPropertyName("start")] float[]? Start,
        [property: System.Text.Json.Serialization.JsonPropertyName("end")] float[]? End);
}
