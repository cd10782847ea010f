using System.Diagnostics;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.ML.Tokenizers;
using NerClassify.Encoders;
using NerClassify.Tests.TestSupport;
using NerClassify.Tokenization;
using Xunit.Abstractions;

namespace NerClassify.Tests.Tokenization;

/// <summary>
/// SentencePiece (XLM-R's tokenizer) against Google's Python library: a Unigram model trained on CoNLL-2003 text with
/// Debian's python3-sentencepiece (Reference/tokenizers/conll-unigram.model, nmt_nfkc normalisation as XLM-R's), its
/// ids and pieces for hand-written sentences and 300 random Unicode strings written by make_roberta_reference.py,
/// and, where python3-sentencepiece and the data are present, every sentence of CoNLL's valid.txt computed live.
/// Sentences and words are compared as the library encodes them (Microsoft.ML.Tokenizers' SentencePieceTokenizer, XLM-R's
/// ids, unknown runs merged). Microsoft.ML.Tokenizers' Viterbi search breaks ties between segmentations of equal score
/// (the same pieces in another order, such as "0 00" and "00 0" for "000") differently from Google's library; those
/// are counted and reported apart, and every other difference fails the test.
/// </summary>
public sealed class SentencePieceReferenceTests(ITestOutputHelper output)
{
    [Fact]
    public void Encode_CommittedPythonReference_HasNoDifferences()
    {
        JsonObject reference = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(RobertaReference.Folder, "tokenizers", "conll-unigram.expected.json")))!;

        Comparison result = Compare(reference["records"]!.AsArray());

        output.WriteLine($"committed reference: {result}");
        result.Texts.Should().Be(309);
        result.SentenceDiffs.Should().Be(0);
        result.WordDiffs.Should().Be(0);
    }

    [RequiresPythonSentencePieceFact]
    public void Encode_EveryConllValidSentence_MatchesPythonSentencePiece()
    {
        string valid = TestPaths.DataFile("conll2003", "valid.txt")!;
        var sentences = new List<string>();
        var words = new List<string>();
        foreach (string line in File.ReadLines(valid))
        {
            if (line.Length == 0 || line.StartsWith("-DOCSTART-", StringComparison.Ordinal))
            {
                if (words.Count > 0)
                {
                    sentences.Add(string.Join(' ', words));
                    words.Clear();
                }

                continue;
            }

            words.Add(line.Split(' ')[0]);
        }

        if (words.Count > 0)
        {
            sentences.Add(string.Join(' ', words));
        }

        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("in.txt"), string.Join('\n', sentences));
        var start = new ProcessStartInfo(
            RequiresPythonSentencePieceFactAttribute.PythonPath!,
            [Path.Combine(RobertaReference.Folder, "make_roberta_reference.py"), "encode", RobertaReference.SentencePieceModel, temp.File("in.txt"), temp.File("out.json")])
        { RedirectStandardError = true };
        using (Process process = Process.Start(start)!)
        {
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            process.ExitCode.Should().Be(0, errors);
        }

        JsonArray records = JsonNode.Parse(File.ReadAllText(temp.File("out.json")))!["records"]!.AsArray();
        Comparison result = Compare(records);

        output.WriteLine($"CoNLL valid.txt: {result}");
        result.Texts.Should().Be(sentences.Count).And.BeGreaterThan(3000);
        result.SentenceDiffs.Should().Be(0);
        result.WordDiffs.Should().Be(0);
    }

    [Fact]
    public void Load_SentencePieceModel_LaysOutXlmRobertaIds()
    {
        using FileStream model = File.OpenRead(RobertaReference.SentencePieceModel);
        BertVocabulary vocabulary = BertVocabulary.LoadSentencePiece(model);

        vocabulary.Kind.Should().Be(VocabularyKind.SentencePiece);
        vocabulary.Tokens.Take(4).Should().Equal("<s>", "<pad>", "</s>", "<unk>");
        vocabulary.Tokens[^1].Should().Be("<mask>");
        vocabulary.Tokens.Should().HaveCount(502);
        vocabulary.PadId.Should().Be(1);
        SubwordTokenizer tokenizer = SubwordTokenizer.For(vocabulary);
        (tokenizer.ClsId, tokenizer.SepId, tokenizer.PadId, tokenizer.UnknownId).Should().Be((0, 2, 1, 3));
        tokenizer.Encode(["Peter", "Blackburn"]).Single().InputIds.Should().StartWith(0L).And.EndWith(2L);
    }

    private Comparison Compare(JsonArray records)
    {
        int shown = 0;
        byte[] model = File.ReadAllBytes(RobertaReference.SentencePieceModel);
        using var stream = new MemoryStream(model);
        var tokenizer = (SentencePieceWordTokenizer)SubwordTokenizer.For(BertVocabulary.LoadSentencePiece(stream));
        var result = new Comparison();
        foreach (JsonNode? record in records)
        {
            string text = record!["text"]!.GetValue<string>();
            result.Texts++;
            IReadOnlyList<EncodedToken> tokens = tokenizer.EncodeToTokens(text);
            int[] ids = tokens.Select(t => t.Id).ToArray();
            string[] pieces = tokens.Select(t => t.Value).ToArray();
            int[] expectedIds = record["ids"]!.AsArray().Select(v => SentencePieceWordTokenizer.ToModelId(v!.GetValue<int>())).ToArray();
            string[] expectedPieces = record["pieces"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();
            if (!ids.SequenceEqual(expectedIds) || !pieces.SequenceEqual(expectedPieces, StringComparer.Ordinal))
            {
                if (IsReordering(pieces, expectedPieces))
                {
                    result.SentenceTies++;
                }
                else
                {
                    result.SentenceDiffs++;
                }

                if (shown++ < 5)
                {
                    output.WriteLine($"differs: {System.Text.Json.JsonSerializer.Serialize(text)}\n  ours   {string.Join(' ', pieces)}\n  python {string.Join(' ', expectedPieces)}");
                }
            }

            JsonArray expectedWords = record["word_ids"]!.AsArray();
            JsonArray wordTexts = record["words"]!.AsArray();
            for (int w = 0; w < wordTexts.Count; w++)
            {
                result.Words++;
                string word = wordTexts[w]!.GetValue<string>();
                int[] actual = tokenizer.TokenizeWord(word).ToArray();
                int[] expected = expectedWords[w]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();
                if (!actual.SequenceEqual(expected))
                {
                    string[] ourPieces = tokenizer.EncodeToTokens(word).Select(t => t.Value).ToArray();
                    if (actual.Length == expected.Length && actual.Order().SequenceEqual(expected.Order()))
                    {
                        result.WordTies++;
                    }
                    else
                    {
                        result.WordDiffs++;
                    }
                }
            }
        }

        return result;
    }

    /// <summary>The same pieces in another order: a segmentation of the same score, chosen by a different tie-break.</summary>
    private static bool IsReordering(string[] ours, string[] reference) =>
        ours.Length == reference.Length && ours.Order(StringComparer.Ordinal).SequenceEqual(reference.Order(StringComparer.Ordinal), StringComparer.Ordinal)
        && string.Concat(ours) == string.Concat(reference);

    private sealed class Comparison
    {
        public int Texts { get; set; }

        public int SentenceDiffs { get; set; }

        public int SentenceTies { get; set; }

        public int Words { get; set; }

        public int WordDiffs { get; set; }

        public int WordTies { get; set; }

        public override string ToString() =>
            $"{Texts} texts: {SentenceDiffs} sentence differences in ids or pieces, {SentenceTies} equal-score reorderings; {Words} words: {WordDiffs} differences, {WordTies} equal-score reorderings";
    }
}
