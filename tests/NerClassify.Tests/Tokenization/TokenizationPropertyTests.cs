using System.Text;
using FluentAssertions;
using NerClassify.Tokenization;

namespace NerClassify.Tests.Tokenization;

public sealed class TokenizationPropertyTests
{
    private static readonly string[] Pieces =
    [
        "the", "fox", "jumped", "New", "York", "unable", "playing", ".", ",", "!", "\"", "(", ")", "-", "'s", "1996-08-22", "3.5",
        "café", "naïve", "Ünïcödé", "中国", "我", "🙂", "👍🏽", "Ω", "\u0301", "\u200B", "", " ", "[SEP]", "##s", "a\u0000b",
    ];

    private const string Punctuation = "!?.,;:-'\"()[]{}";

    private static string RandomWord(Random random)
    {
        int kind = random.Next(10);
        if (kind < 6)
        {
            return Pieces[random.Next(Pieces.Length)];
        }

        var builder = new StringBuilder();
        int length = kind == 9 ? random.Next(50, 300) : random.Next(1, 12);
        for (int i = 0; i < length; i++)
        {
            builder.Append(random.Next(6) switch
            {
                0 => (char)random.Next('a', 'z' + 1),
                1 => (char)random.Next('0', '9' + 1),
                2 => Punctuation[random.Next(Punctuation.Length)],
                3 => (char)random.Next(0x00C0, 0x0180),
                4 => (char)random.Next(0x4E00, 0x4F00),
                _ => char.ConvertFromUtf32(random.Next(0x1F600, 0x1F650)),
            });
        }

        return builder.ToString();
    }

    [Fact]
    public void Encode_RandomSentences_EveryWordHasSubwordsLabelsAlignAndWindowsMergeToEachWordOnce()
    {
        var tokenizer = TestVocabulary.CreateTokenizer();
        var random = new Random(1234);
        for (int trial = 0; trial < 300; trial++)
        {
            string[] words = Enumerable.Range(0, random.Next(0, 60)).Select(_ => RandomWord(random)).ToArray();
            int[] labels = words.Select(_ => random.Next(0, 9)).ToArray();
            int maxLength = random.Next(8, 40);
            var options = new EncodingOptions { MaxLength = maxLength, Stride = random.Next(0, maxLength - 3) };

            var windows = tokenizer.Encode(words, options, labels, sentenceIndex: trial);

            var context = $"trial {trial}, max {maxLength}, stride {options.Stride}";
            foreach (var window in windows)
            {
                window.Length.Should().BeLessThanOrEqualTo(maxLength, context);
                window.InputIds[0].Should().Be(tokenizer.ClsId, context);
                window.InputIds[^1].Should().Be(tokenizer.SepId, context);
                window.WordIndex[0].Should().Be(-1, context);
                window.WordIndex[^1].Should().Be(-1, context);
                for (int p = 1; p < window.Length - 1; p++)
                {
                    int word = window.WordIndex[p];
                    word.Should().BeInRange(0, words.Length - 1, context);
                    bool first = window.WordIndex[p - 1] != word;
                    window.Labels![p].Should().Be(first ? labels[word] : EncodedSentence.IgnoreIndex, context);
                    if (p > 1)
                    {
                        word.Should().BeGreaterThanOrEqualTo(window.WordIndex[p - 1], context);
                    }
                }

                // Whole words per window unless a single word is longer than the window.
                if (window.WordCount > 1)
                {
                    for (int w = window.FirstWord; w < window.FirstWord + window.WordCount; w++)
                    {
                        window.WordIndex.Count(i => i == w).Should().Be(tokenizer.TokenizeWord(words[w]).Length, context);
                    }
                }
            }

            words.Select(w => tokenizer.TokenizeWord(w).Length).Should().NotContain(n => n < 1, context);
            var positions = WindowMerger.SelectPositions(windows, words.Length);
            var merged = WindowMerger.MergeWordValues(windows, windows.Select(w => (IReadOnlyList<long>)w.Labels!).ToList(), words.Length);
            merged.Should().Equal(labels.Select(l => (long)l), context);
            positions.Should().HaveCount(words.Length);
            for (int w = 0; w < words.Length; w++)
            {
                windows[positions[w].Window].WordIndex[positions[w].Position].Should().Be(w, context);
            }

            if (words.Length == 0)
            {
                windows.Should().ContainSingle().Which.Length.Should().Be(2);
            }
        }
    }

    [Fact]
    public void Split_RandomText_SpansReproduceWordsAndCoverAllVisibleText()
    {
        var random = new Random(99);
        for (int trial = 0; trial < 300; trial++)
        {
            string text = string.Join(random.Next(3) == 0 ? "  " : " ", Enumerable.Range(0, random.Next(0, 20)).Select(_ => RandomWord(random)));

            var result = TextWordSplitter.Split(text);

            result.Spans.Select(s => text[s.Range]).Should().Equal(result.Words);
            result.Spans.Zip(result.Spans.Skip(1)).Should().NotContain(p => p.First.End > p.Second.Start);
            var covered = new bool[text.Length];
            foreach (var span in result.Spans)
            {
                Array.Fill(covered, true, span.Start, span.Length);
            }

            for (int i = 0; i < text.Length; i++)
            {
                if (!covered[i])
                {
                    (char.IsWhiteSpace(text[i]) || char.GetUnicodeCategory(text[i]) is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format)
                        .Should().BeTrue($"char {(int)text[i]:X4} at {i} of trial {trial} is visible but in no word");
                }
            }
        }
    }
}
