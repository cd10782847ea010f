using System.Text;
using FluentAssertions;
using NerClassify.Data;
using NerClassify.Metrics;
using Xunit;

namespace NerClassify.Tests.Metrics;

/// <summary>
/// A conlleval-style file ("word gold predicted" per line, a blank line between sentences) written in
/// code, scored by hand with conlleval's counting, and compared with <see cref="EntityMetrics"/>.
/// </summary>
public sealed class ConllevalCorpusTests
{
    private const int Repetitions = 8;

    // Seven sentence blocks, each with its conlleval counts: gold chunks ("found correct"), guessed
    // chunks ("found guessed"), correct chunks, tokens and correct tokens.
    //
    //  block                 gold                        predicted                   gold guessed correct tokens ok-tokens
    //  A exact match         B-PER I-PER O B-LOC O       same                          2     2      2      5     5
    //  B type error          B-ORG I-ORG O O             B-LOC I-LOC O O               1     1      0      4     2
    //  C boundary error      O B-MISC I-MISC I-MISC O    O B-MISC I-MISC O O           1     1      0      5     4
    //  D missed, at end      O O B-PER                   O O O                         1     0      0      3     2
    //  E spurious I- start   O O O O                     O I-LOC I-LOC O               0     1      0      4     2
    //  F I- start = B- start B-ORG I-ORG O B-PER         I-ORG I-ORG O B-PER           2     2      2      4     3
    //  G adjacent same type  B-PER B-PER O               B-PER I-PER O                 2     1      0      3     2
    //  per repetition                                                                  9     8      4     28    20
    //
    // E: conlleval starts a chunk at an I- after O, so I-LOC I-LOC is one guessed LOC chunk.
    // F: for the same reason the I-ORG run equals the gold B-ORG I-ORG chunk.
    // G: gold is PER 0..1 and PER 1..2; the prediction is one PER 0..2, which matches neither.
    //
    // Eight repetitions (56 sentences, 224 tokens): 72 gold chunks, 64 guessed, 32 correct, 160
    // correct tokens. conlleval would print:
    //   processed 224 tokens with 72 phrases; found: 64 phrases; correct: 32.
    //   accuracy:  71.43%; precision:  50.00%; recall:  44.44%; FB1:  47.06
    // precision 32/64 = 0.5, recall 32/72 = 4/9, FB1 = 2PR/(P+R) = 64/136 = 8/17.
    private static readonly (string Gold, string Predicted)[] Blocks =
    [
        ("B-PER I-PER O B-LOC O", "B-PER I-PER O B-LOC O"),
        ("B-ORG I-ORG O O", "B-LOC I-LOC O O"),
        ("O B-MISC I-MISC I-MISC O", "O B-MISC I-MISC O O"),
        ("O O B-PER", "O O O"),
        ("O O O O", "O I-LOC I-LOC O"),
        ("B-ORG I-ORG O B-PER", "I-ORG I-ORG O B-PER"),
        ("B-PER B-PER O", "B-PER I-PER O"),
    ];

    [Fact]
    public void Compute_ConllevalFile_MatchesHandCountedMicroScores()
    {
        var (gold, predicted) = ReadConllFile(WriteConllFile());
        gold.Should().HaveCount(56);

        var report = EntityMetrics.Compute(gold, predicted);

        report.Micro.Support.Should().Be(72);
        report.Micro.Predicted.Should().Be(64);
        report.Micro.Correct.Should().Be(32);
        report.TokenCount.Should().Be(224);
        report.Precision.Should().BeApproximately(0.5, 1e-12);
        report.Recall.Should().BeApproximately(4.0 / 9, 1e-12);
        report.F1.Should().BeApproximately(8.0 / 17, 1e-12);
        report.TokenAccuracy.Should().BeApproximately(160.0 / 224, 1e-12);
    }

    [Fact]
    public void Compute_ConllevalFile_MatchesHandCountedPerTypeCounts()
    {
        // Per repetition, from the table: LOC gold 1 (A), guessed 3 (A, B, E), correct 1 (A);
        // MISC 1, 1, 0 (C); ORG gold 2 (B, F), guessed 1 (F), correct 1 (F);
        // PER gold 5 (A, D, F, G twice), guessed 3 (A, F, G), correct 2 (A, F). Times 8.
        var (gold, predicted) = ReadConllFile(WriteConllFile());

        var perType = EntityMetrics.Compute(gold, predicted).PerType;

        Counts(perType["LOC"]).Should().Be((8, 24, 8));
        Counts(perType["MISC"]).Should().Be((8, 8, 0));
        Counts(perType["ORG"]).Should().Be((16, 8, 8));
        Counts(perType["PER"]).Should().Be((40, 24, 16));
    }

    [Fact]
    public void Compute_ConllevalFileStrictIob2_DropsInsideStartedPredictions()
    {
        // Strict IOB2 loses the guessed chunks of blocks E and F, which start with I-; F's was correct.
        // Per repetition: gold 9, guessed 6, correct 3. Times 8: 72, 48, 24; F1 = 48/120 = 0.4.
        var (gold, predicted) = ReadConllFile(WriteConllFile());

        var report = EntityMetrics.Compute(gold, predicted, LabelScheme.Iob2, EntityMatchingMode.Strict);

        Counts(report.Micro).Should().Be((72, 48, 24));
        report.F1.Should().BeApproximately(0.4, 1e-12);
    }

    private static (int Gold, int Predicted, int Correct) Counts(ClassScores scores) =>
        (scores.Support, scores.Predicted, scores.Correct);

    // Writes the blocks A..G in turn, Repetitions times, as conlleval input.
    private static string WriteConllFile()
    {
        var file = new StringBuilder();
        for (var sentence = 0; sentence < Blocks.Length * Repetitions; sentence++)
        {
            var (gold, predicted) = Blocks[sentence % Blocks.Length];
            var goldTags = Tags.Of(gold);
            var predictedTags = Tags.Of(predicted);
            for (var word = 0; word < goldTags.Length; word++)
            {
                file.Append($"w{sentence}_{word} {goldTags[word]} {predictedTags[word]}\n");
            }

            file.Append('\n');
        }

        return file.ToString();
    }

    // Reads conlleval input back: the last two columns are the gold and predicted tags.
    private static (List<IReadOnlyList<string>> Gold, List<IReadOnlyList<string>> Predicted) ReadConllFile(string text)
    {
        var gold = new List<IReadOnlyList<string>>();
        var predicted = new List<IReadOnlyList<string>>();
        var goldSentence = new List<string>();
        var predictedSentence = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                if (goldSentence.Count > 0)
                {
                    gold.Add(goldSentence);
                    predicted.Add(predictedSentence);
                    goldSentence = [];
                    predictedSentence = [];
                }

                continue;
            }

            var columns = line.Split(' ');
            goldSentence.Add(columns[^2]);
            predictedSentence.Add(columns[^1]);
        }

        return (gold, predicted);
    }
}
