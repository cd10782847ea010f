using System.Diagnostics;
using FluentAssertions;
using NerClassify.Tokenization;

namespace NerClassify.Tests.Tokenization;

/// <summary>Text that used to crash or misread (issue 17, items 4 to 7).</summary>
public sealed class TextHardeningTests
{
    private static int Id(string token) => TestVocabulary.IdOf(token);

    // Theory data passes through xunit's serialisation, which turns lone surrogates into U+FFFD; index into this instead.
    private static readonly string[] LoneSurrogateWords = ["\uDC00Paris", "Paris\uD800", "pa\uDBFFris"];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void TokenizeWord_LoneSurrogate_IsUnknownAndTheRestIsTokenized(int index)
    {
        var tokenizer = TestVocabulary.CreateTokenizer(lowerCase: false);
        string word = LoneSurrogateWords[index];
        word.Any(char.IsSurrogate).Should().BeTrue();

        int[] ids = tokenizer.TokenizeWord(word).ToArray();

        ids.Should().Contain(tokenizer.UnknownId);
        ids.Count(id => id == tokenizer.UnknownId).Should().Be(1);
    }

    [Fact]
    public void TokenizeWord_LoneSurrogateBeforeAWord_KeepsTheWordsPieces()
    {
        var tokenizer = TestVocabulary.CreateTokenizer(lowerCase: false);

        tokenizer.TokenizeWord("\uDC00Paris").ToArray().Should().Equal(tokenizer.UnknownId, Id("Paris"));
    }

    [Fact]
    public void TokenizeWord_LoneSurrogateUncased_DoesNotThrow()
    {
        var tokenizer = TestVocabulary.CreateTokenizer(lowerCase: true);

        tokenizer.TokenizeWord("\uDC00the").ToArray().Should().Equal(tokenizer.UnknownId, Id("the"));
    }

    [Fact]
    public void TokenizeWord_ValidSurrogatePair_IsNotSplit()
    {
        var tokenizer = TestVocabulary.CreateTokenizer();

        // An emoji outside the vocabulary is one [UNK], as before: the pair is one character.
        tokenizer.TokenizeWord("🙂").ToArray().Should().Equal(tokenizer.UnknownId);
    }

    [Theory]
    [InlineData('\v')]
    [InlineData('\f')]
    [InlineData('\u0085')]
    [InlineData('\u2028')]
    [InlineData('\u2029')]
    [InlineData('\u00A0')]
    [InlineData('\u3000')]
    public void Split_UnicodeWhitespace_SeparatesWords(char space)
    {
        string text = $"Paris{space}and Berlin";

        TextWords words = TextWordSplitter.Split(text);

        words.Words.Should().Equal("Paris", "and", "Berlin");
        words.Spans[1].Start.Should().Be(6);
    }

    [Theory]
    [InlineData("fox\vjump")]
    [InlineData("fox\u2028jump")]
    [InlineData("fox\u0085jump")]
    public void TokenizeWord_WhitespaceInsideAPreSplitWord_TokenizesBothParts(string word)
    {
        var tokenizer = TestVocabulary.CreateTokenizer();

        tokenizer.TokenizeWord(word).ToArray().Should().Equal(Id("fox"), Id("jump"));
    }

    [Fact]
    public void TokenizeWord_TwoThousandLongUniqueWords_AreNotKeptInTheCache()
    {
        var tokenizer = TestVocabulary.CreateTokenizer();
        var random = new Random(17);
        var buffer = new char[20_000];

        for (int i = 0; i < 2_000; i++)
        {
            for (int c = 0; c < buffer.Length; c++)
            {
                buffer[c] = (char)('a' + random.Next(26));
            }

            tokenizer.TokenizeWord(new string(buffer));
        }

        tokenizer.CachedBytes.Should().BeLessThan(1 << 20);
    }

    [Fact]
    public void TokenizeWord_ManyUniqueShortWords_StaysWithinTheCacheBudget()
    {
        var tokenizer = TestVocabulary.CreateTokenizer();
        tokenizer.MaxCacheBytes = 64 * 1024;
        var random = new Random(18);

        for (int i = 0; i < 3_000; i++)
        {
            int length = 20 + random.Next(40);
            tokenizer.TokenizeWord(string.Create(length, random, static (span, r) =>
            {
                for (int c = 0; c < span.Length; c++)
                {
                    span[c] = (char)('a' + r.Next(26));
                }
            }));
        }

        tokenizer.CachedBytes.Should().BeGreaterThan(48 * 1024).And.BeLessThanOrEqualTo(64 * 1024);
    }

    [Fact]
    public void TokenizeWord_RepeatedShortWord_IsCachedOnce()
    {
        var tokenizer = TestVocabulary.CreateTokenizer();

        tokenizer.TokenizeWord("jumping");
        long once = tokenizer.CachedBytes;
        tokenizer.TokenizeWord("jumping");

        once.Should().BeGreaterThan(0);
        tokenizer.CachedBytes.Should().Be(once);
    }

    [Fact]
    public void SplitAndEncode_TwoHundredThousandDots_IsLinear()
    {
        var tokenizer = TestVocabulary.CreateTokenizer();
        var options = new EncodingOptions { MaxLength = 512, Stride = 128 };
        double Measure(int length)
        {
            string text = new('.', length);
            var watch = Stopwatch.StartNew();
            TextWords words = TextWordSplitter.Split(text);
            IReadOnlyList<EncodedSentence> windows = tokenizer.Encode(words.Words, options);
            WindowMerger.SelectPositions(windows, words.Words.Count);
            return watch.Elapsed.TotalSeconds;
        }

        Measure(20_000);
        double small = Measure(50_000);
        double large = Measure(200_000);

        // Quadratic work would take 16 times as long for 4 times the input; allow noise on a shared machine.
        large.Should().BeLessThan(Math.Max(8 * small, 0.5) + 2);
    }
}
