using FluentAssertions;
using NerClassify.Data;
using NerClassify.Metrics;

namespace NerClassify.Tests.Metrics;

/// <summary>
/// <see cref="EntityMetrics"/> against plain transcriptions of conlleval.pl's counting loop (version 2004-01-26) and of
/// seqeval 1.2's default-mode counting, over every pair of short tag sequences and over random corpora with tags outside
/// the grammar (issue 31, item 13). The oracles below follow the published code line by line and share nothing with the
/// library's implementation.
/// </summary>
public sealed class ToolParityTests
{
    [Fact]
    public void Compute_ConllevalGoldBIPredictedBS_ScoresNoCorrectChunk()
    {
        // conlleval.pl: the untyped S neither ends nor starts a chunk, so at the boundary the gold chunk ends and the
        // predicted one does not; correct 0.
        EntityReport report = EntityMetrics.Compute(Tags.Sentences("B I"), Tags.Sentences("B S"), LabelScheme.Bioes, EntityMatchingMode.Conlleval);

        report.PerType[string.Empty].Correct.Should().Be(0);
        report.PerType[string.Empty].Support.Should().Be(1);
        report.PerType[string.Empty].Predicted.Should().Be(1);
    }

    [Fact]
    public void Compute_ConllevalTypeUnderscoreAndUntyped_AreKeptApart()
    {
        EntityReport report = EntityMetrics.Compute(Tags.Sentences("B-_ I-_ O B"), Tags.Sentences("B-_ I-_ O B"), LabelScheme.Iob2, EntityMatchingMode.Conlleval);

        report.PerType.Keys.Should().Equal(string.Empty, "_");
        report.PerType["_"].Correct.Should().Be(1);
        report.PerType[string.Empty].Correct.Should().Be(1);
    }

    [Fact]
    public void Compute_ConllevalEveryUntypedPairUpToThreeTags_MatchesConllevalPl()
    {
        int pairs = ComparePairs(["O", "B", "I", "E", "S"], maxLength: 3);

        pairs.Should().Be(16_275);
    }

    [Fact]
    public void Compute_ConllevalEveryPairOfUntypedAndUnderscoreTags_MatchesConllevalPl()
    {
        int pairs = ComparePairs(["O", "B", "I", "S", "B-_", "I-_"], maxLength: 3);

        pairs.Should().Be(36 + 1_296 + 46_656);
    }

    [Fact]
    public void Compute_ConllevalRandomCorporaWithAnyTags_MatchConllevalPl()
    {
        string[] tags = ["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "B", "I", "E", "S", "X", "B-", "O-PER", "U-PER", "b-PER", "B-0", "[", "]", "."];
        var random = new Random(31);
        for (int n = 0; n < 3_000; n++)
        {
            (var gold, var predicted) = RandomCorpus(random, tags);

            Describe(EntityMetrics.Compute(gold, predicted, LabelScheme.Bioes, EntityMatchingMode.Conlleval))
                .Should().Be(ConllevalPl.Count(gold, predicted), Show(gold, predicted));
        }
    }

    [Theory]
    [InlineData("B-", "_:0-1")]
    [InlineData("O-PER I-PER", "PER:1-2")]
    [InlineData("U-PER U-PER O", "PER:0-2")]
    [InlineData("b-PER I-PER", "PER:0-2")]
    [InlineData("B-PER X O", "PER:0-1")]
    public void Extract_LenientTagsOutsideTheGrammar_ReadAsSeqeval(string tags, string expected)
    {
        Tags.Describe(EntityExtractor.Extract(Tags.Of(tags))).Should().Be(expected);
    }

    [Fact]
    public void Compute_LenientRandomCorporaWithTagsOutsideTheGrammar_MatchSeqeval()
    {
        string[] tags = ["O", "B-PER", "I-PER", "E-PER", "S-PER", "I-LOC", "B", "I", "E", "S", "X", "B-", "O-PER", "U-PER", "b-PER", "BX-PER", ".-PER"];
        var random = new Random(13);
        for (int n = 0; n < 3_000; n++)
        {
            (var gold, var predicted) = RandomCorpus(random, tags);

            Describe(EntityMetrics.Compute(gold, predicted))
                .Should().Be(Seqeval.Count(gold, predicted), Show(gold, predicted));
        }
    }

    [Fact]
    public void Compute_LenientGrammarTags_MatchSeqeval()
    {
        string[] tags = ["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "B", "I", "S"];
        var random = new Random(7);
        for (int n = 0; n < 2_000; n++)
        {
            (var gold, var predicted) = RandomCorpus(random, tags);

            Describe(EntityMetrics.Compute(gold, predicted)).Should().Be(Seqeval.Count(gold, predicted), Show(gold, predicted));
        }
    }

    private static int ComparePairs(string[] alphabet, int maxLength)
    {
        int pairs = 0;
        for (int length = 1; length <= maxLength; length++)
        {
            List<string[]> sequences = Sequences(alphabet, length);
            foreach (string[] gold in sequences)
            {
                foreach (string[] predicted in sequences)
                {
                    IReadOnlyList<IReadOnlyList<string>> g = [gold];
                    IReadOnlyList<IReadOnlyList<string>> p = [predicted];
                    string actual = Describe(EntityMetrics.Compute(g, p, LabelScheme.Bioes, EntityMatchingMode.Conlleval));
                    string expected = ConllevalPl.Count(g, p);
                    if (actual != expected)
                    {
                        actual.Should().Be(expected, Show(g, p));
                    }

                    pairs++;
                }
            }
        }

        return pairs;
    }

    private static List<string[]> Sequences(string[] alphabet, int length)
    {
        List<string[]> result = [[]];
        for (int i = 0; i < length; i++)
        {
            result = result.SelectMany(prefix => alphabet.Select(tag => (string[])[.. prefix, tag])).ToList();
        }

        return result;
    }

    private static (IReadOnlyList<IReadOnlyList<string>> Gold, IReadOnlyList<IReadOnlyList<string>> Predicted) RandomCorpus(Random random, string[] tags)
    {
        int sentences = 1 + random.Next(3);
        var gold = new List<IReadOnlyList<string>>();
        var predicted = new List<IReadOnlyList<string>>();
        for (int s = 0; s < sentences; s++)
        {
            int length = random.Next(5);
            gold.Add(Enumerable.Range(0, length).Select(_ => tags[random.Next(tags.Length)]).ToArray());
            predicted.Add(Enumerable.Range(0, length).Select(_ => tags[random.Next(tags.Length)]).ToArray());
        }

        return (gold, predicted);
    }

    /// <summary>Per type, sorted: "type gold/predicted/correct".</summary>
    private static string Describe(EntityReport report) =>
        string.Join("; ", report.PerType.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"'{p.Key}' {p.Value.Support}/{p.Value.Predicted}/{p.Value.Correct}"));

    private static string Describe(Dictionary<string, int[]> counts) =>
        string.Join("; ", counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"'{p.Key}' {p.Value[0]}/{p.Value[1]}/{p.Value[2]}"));

    private static string Show(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<IReadOnlyList<string>> predicted) =>
        $"gold [{string.Join(" | ", gold.Select(s => string.Join(' ', s)))}], predicted [{string.Join(" | ", predicted.Select(s => string.Join(' ', s)))}]";

    private static int[] Slot(Dictionary<string, int[]> counts, string type)
    {
        if (!counts.TryGetValue(type, out int[]? slot))
        {
            slot = new int[3];
            counts[type] = slot;
        }

        return slot;
    }

    /// <summary>conlleval.pl's main loop over "word gold guessed" lines, a blank line after each sentence.</summary>
    private static class ConllevalPl
    {
        public static string Count(IReadOnlyList<IReadOnlyList<string>> gold, IReadOnlyList<IReadOnlyList<string>> predicted)
        {
            // Each slot: foundCorrect, foundGuessed, correctChunk.
            var counts = new Dictionary<string, int[]>(StringComparer.Ordinal);
            var lines = new List<(string Correct, string Guessed)>();
            for (int s = 0; s < gold.Count; s++)
            {
                for (int i = 0; i < gold[s].Count; i++)
                {
                    lines.Add((gold[s][i], predicted[s][i]));
                }

                lines.Add(("O", "O")); // the blank line: @features = ($boundary, "O", "O")
            }

            bool inCorrect = false;
            string lastCorrect = "O", lastCorrectType = string.Empty, lastGuessed = "O", lastGuessedType = string.Empty;
            foreach ((string correctTag, string guessedTag) in lines)
            {
                (string guessed, string guessedType) = Split(guessedTag);
                (string correct, string correctType) = Split(correctTag);
                if (inCorrect)
                {
                    if (ConllevalChunkBoundaries.EndOfChunk(lastCorrect, correct, lastCorrectType, correctType)
                        && ConllevalChunkBoundaries.EndOfChunk(lastGuessed, guessed, lastGuessedType, guessedType)
                        && lastGuessedType == lastCorrectType)
                    {
                        inCorrect = false;
                        Slot(counts, lastCorrectType)[2]++;
                    }
                    else if (ConllevalChunkBoundaries.EndOfChunk(lastCorrect, correct, lastCorrectType, correctType) != ConllevalChunkBoundaries.EndOfChunk(lastGuessed, guessed, lastGuessedType, guessedType)
                        || guessedType != correctType)
                    {
                        inCorrect = false;
                    }
                }

                if (ConllevalChunkBoundaries.StartOfChunk(lastCorrect, correct, lastCorrectType, correctType)
                    && ConllevalChunkBoundaries.StartOfChunk(lastGuessed, guessed, lastGuessedType, guessedType)
                    && guessedType == correctType)
                {
                    inCorrect = true;
                }

                if (ConllevalChunkBoundaries.StartOfChunk(lastCorrect, correct, lastCorrectType, correctType))
                {
                    Slot(counts, correctType)[0]++;
                }

                if (ConllevalChunkBoundaries.StartOfChunk(lastGuessed, guessed, lastGuessedType, guessedType))
                {
                    Slot(counts, guessedType)[1]++;
                }

                lastGuessed = guessed;
                lastCorrect = correct;
                lastGuessedType = guessedType;
                lastCorrectType = correctType;
            }

            if (inCorrect)
            {
                Slot(counts, lastCorrectType)[2]++;
            }

            return Describe(counts);
        }

        // if (/^([^-]*)-(.*)$/) { tag = $1; type = $2 } else { tag = whole; type = "" }; then type = type ? type : "".
        private static (string Tag, string Type) Split(string text)
        {
            int hyphen = text.IndexOf('-');
            (string tag, string type) = hyphen < 0 ? (text, string.Empty) : (text[..hyphen], text[(hyphen + 1)..]);
            bool perlTrue = type != string.Empty && type != "0";
            return (tag, perlTrue ? type : string.Empty);
        }
    }

    /// <summary>seqeval's get_entities (default mode, prefix tags) and extract_tp_actual_correct.</summary>
    private static class Seqeval
    {
        public static string Count(IReadOnlyList<IReadOnlyList<string>> yTrue, IReadOnlyList<IReadOnlyList<string>> yPred)
        {
            var entitiesTrue = new Dictionary<string, HashSet<(int, int)>>();
            var entitiesPred = new Dictionary<string, HashSet<(int, int)>>();
            foreach ((string type, int start, int end) in GetEntities(yTrue))
            {
                Set(entitiesTrue, type).Add((start, end));
            }

            foreach ((string type, int start, int end) in GetEntities(yPred))
            {
                Set(entitiesPred, type).Add((start, end));
            }

            var counts = new Dictionary<string, int[]>(StringComparer.Ordinal);
            foreach (string type in entitiesTrue.Keys.Union(entitiesPred.Keys))
            {
                HashSet<(int, int)> t = entitiesTrue.GetValueOrDefault(type) ?? [];
                HashSet<(int, int)> p = entitiesPred.GetValueOrDefault(type) ?? [];
                counts[type] = [t.Count, p.Count, t.Intersect(p).Count()];
            }

            return Describe(counts);
        }

        private static HashSet<(int, int)> Set(Dictionary<string, HashSet<(int, int)>> sets, string type)
        {
            if (!sets.TryGetValue(type, out var set))
            {
                set = [];
                sets[type] = set;
            }

            return set;
        }

        // seq = [item for sublist in seq for item in sublist + ['O']]; then seq + ['O'].
        private static List<(string, int, int)> GetEntities(IReadOnlyList<IReadOnlyList<string>> sentences)
        {
            var seq = new List<string>();
            foreach (var sentence in sentences)
            {
                seq.AddRange(sentence);
                seq.Add("O");
            }

            seq.Add("O");
            string prevTag = "O";
            string prevType = string.Empty;
            int beginOffset = 0;
            var chunks = new List<(string, int, int)>();
            for (int i = 0; i < seq.Count; i++)
            {
                string chunk = seq[i];
                string tag = chunk[..1];
                string[] parts = chunk[1..].Split('-', 2);
                string type = parts[^1].Length > 0 ? parts[^1] : "_";
                if (EndOfChunk(prevTag, tag, prevType, type))
                {
                    chunks.Add((prevType, beginOffset, i - 1));
                }

                if (StartOfChunk(prevTag, tag, prevType, type))
                {
                    beginOffset = i;
                }

                prevTag = tag;
                prevType = type;
            }

            return chunks;
        }

        private static bool EndOfChunk(string prevTag, string tag, string prevType, string type)
        {
            bool chunkEnd = false;
            if (prevTag == "E") { chunkEnd = true; }
            if (prevTag == "S") { chunkEnd = true; }
            if (prevTag == "B" && tag == "B") { chunkEnd = true; }
            if (prevTag == "B" && tag == "S") { chunkEnd = true; }
            if (prevTag == "B" && tag == "O") { chunkEnd = true; }
            if (prevTag == "I" && tag == "B") { chunkEnd = true; }
            if (prevTag == "I" && tag == "S") { chunkEnd = true; }
            if (prevTag == "I" && tag == "O") { chunkEnd = true; }
            if (prevTag != "O" && prevTag != "." && prevType != type) { chunkEnd = true; }
            return chunkEnd;
        }

        private static bool StartOfChunk(string prevTag, string tag, string prevType, string type)
        {
            bool chunkStart = false;
            if (tag == "B") { chunkStart = true; }
            if (tag == "S") { chunkStart = true; }
            if (prevTag == "E" && tag == "E") { chunkStart = true; }
            if (prevTag == "E" && tag == "I") { chunkStart = true; }
            if (prevTag == "S" && tag == "E") { chunkStart = true; }
            if (prevTag == "S" && tag == "I") { chunkStart = true; }
            if (prevTag == "O" && tag == "E") { chunkStart = true; }
            if (prevTag == "O" && tag == "I") { chunkStart = true; }
            if (tag != "O" && tag != "." && prevType != type) { chunkStart = true; }
            return chunkStart;
        }
    }
}
