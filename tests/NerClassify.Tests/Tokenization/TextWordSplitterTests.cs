using System.Diagnostics;
using System.Globalization;
using FluentAssertions;
using NerClassify.Tests.TestSupport;
using NerClassify.Tokenization;
using Xunit.Abstractions;

namespace NerClassify.Tests.Tokenization;

public sealed class TextWordSplitterTests(ITestOutputHelper output)
{
    [Fact]
    public void Split_PunctuationAndSpaces_SeparatesWordsWithOffsets()
    {
        const string text = "  Hello, Mr. O'Neil!";

        var result = TextWordSplitter.Split(text);

        result.Words.Should().Equal("Hello", ",", "Mr.", "O'Neil", "!");
        SpansOf(text, result).Should().Equal(result.Words);
        result.Spans[0].Should().Be(new WordSpan(2, 5));
    }

    [Fact]
    public void Split_DottedAbbreviations_AreSingleWordsWithSpans()
    {
        const string text = "U.N. officials met U.S. envoys.";

        var result = TextWordSplitter.Split(text);

        result.Words.Should().Equal("U.N.", "officials", "met", "U.S.", "envoys", ".");
        result.Spans[0].Should().Be(new WordSpan(0, 4));
        result.Spans[3].Should().Be(new WordSpan(19, 4));
        SpansOf(text, result).Should().Equal(result.Words);
    }

    [Fact]
    public void Split_TitlesCompaniesMonthsAndInitials_KeepTheirPeriod()
    {
        var result = TextWordSplitter.Split("Mr. J. Smith of Acme Corp. met Dr. Jones at 9 a.m. on Jan. 5 in St. Louis, Mo., vs. Iraq-U.N. staff.");

        result.Words.Should().Equal(
            "Mr.", "J.", "Smith", "of", "Acme", "Corp.", "met", "Dr.", "Jones", "at", "9", "a.m.", "on", "Jan.", "5", "in", "St.", "Louis", ",",
            "Mo.", ",", "vs.", "Iraq-U.N.", "staff", ".");
    }

    [Fact]
    public void Split_AllCapitalAbbreviation_KeepsItsPeriod()
    {
        TextWordSplitter.Split("ST. LOUIS, ACME CORP. SAYS").Words.Should().Equal("ST.", "LOUIS", ",", "ACME", "CORP.", "SAYS");
    }

    [Fact]
    public void Split_AbbreviationEndingTheText_LosesItsPeriodAsInConll()
    {
        // CoNLL-2003 writes a sentence-final "U.S." as "U.S ." and "Inc." as "Inc .".
        TextWordSplitter.Split("He moved to the U.S.").Words.Should().Equal("He", "moved", "to", "the", "U.S", ".");
        TextWordSplitter.Split("He quit Acme Inc.\" ").Words.Should().Equal("He", "quit", "Acme", "Inc", ".", "\"");
        TextWordSplitter.Split("Jones (U.S.)").Words.Should().Equal("Jones", "(", "U.S.", ")");
    }

    [Fact]
    public void Split_SentencePeriodInsideText_IsSplitOff()
    {
        TextWordSplitter.Split("He left. She scored 7. Then rain.").Words
            .Should().Equal("He", "left", ".", "She", "scored", "7", ".", "Then", "rain", ".");
    }

    [Fact]
    public void Split_NumberOpeningALine_IsAnEnumeration()
    {
        TextWordSplitter.Split("1. Michael Schumacher (Germany) 1:54.342\n2. Damon Hill").Words
            .Should().Equal("1.", "Michael", "Schumacher", "(", "Germany", ")", "1:54.342", "2.", "Damon", "Hill");
    }

    [Fact]
    public void Split_DecimalsScoresAndDates_StayWhole()
    {
        var result = TextWordSplitter.Split("Sampras won 6-3 7-6(7-5) after a 2-0 lead on 1996-08-30, shares rose 12.5% to 1,000.50 and .576 at 3/4.");

        result.Words.Should().Equal(
            "Sampras", "won", "6-3", "7-6", "(", "7-5", ")", "after", "a", "2-0", "lead", "on", "1996-08-30", ",", "shares", "rose",
            "12.5", "%", "to", "1,000.50", "and", ".576", "at", "3/4", ".");
    }

    [Fact]
    public void Split_CurrencyBeforeANumber_IsItsOwnWord()
    {
        TextWordSplitter.Split("It cost $5, or US$1.5 million and C$ 3.").Words
            .Should().Equal("It", "cost", "$", "5", ",", "or", "US$", "1.5", "million", "and", "C$", "3", ".");
    }

    [Fact]
    public void Split_Clitics_AreSplitAsInConll()
    {
        TextWordSplitter.Split("Don't say it's the players' fault; they're O'Neil's men and can't win, I'm sure.").Words
            .Should().Equal("Do", "n't", "say", "it", "'s", "the", "players", "'", "fault", ";", "they", "'re", "O'Neil", "'s", "men", "and",
                "ca", "n't", "win", ",", "I", "'m", "sure", ".");
    }

    [Fact]
    public void Split_Quotes_AreSeparateWords()
    {
        TextWordSplitter.Split("He said \"it is over,\" and 'fine' at Euro '96.").Words
            .Should().Equal("He", "said", "\"", "it", "is", "over", ",", "\"", "and", "'", "fine", "'", "at", "Euro", "'", "96", ".");
    }

    [Fact]
    public void Split_HyphenatedWordsAndDashRuns_StayWhole()
    {
        TextWordSplitter.Split("pro-Western rebels -- and anti- forces").Words
            .Should().Equal("pro-Western", "rebels", "--", "and", "anti-", "forces");
    }

    [Fact]
    public void Split_TypographicPunctuation_SplitsLikeAscii()
    {
        TextWordSplitter.Split("“Yes” — he didn’t… ok").Words.Should().Equal("“", "Yes", "”", "—", "he", "did", "n’t", "…", "ok");
    }

    [Fact]
    public void Split_Ellipsis_IsOneWord()
    {
        TextWordSplitter.Split("the day... and then.").Words.Should().Equal("the", "day", "...", "and", "then", ".");
    }

    [Fact]
    public void Split_EveryUnicodeWhitespace_SeparatesWords()
    {
        const string text = "a\vb\fc\u0085d\u2028e\u2029f\u00A0g\u3000h\u2009i\tj\r\nk";

        var result = TextWordSplitter.Split(text);

        result.Words.Should().Equal("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k");
        SpansOf(text, result).Should().Equal(result.Words);
    }

    [Fact]
    public void Split_Cjk_MakesEachIdeographAWord()
    {
        var result = TextWordSplitter.Split("我爱北京abc");

        result.Words.Should().Equal("我", "爱", "北", "京", "abc");
    }

    [Fact]
    public void Split_SurrogatePairsAndAccents_KeepsThemInsideWords()
    {
        const string text = "café 🙂ok naïve";

        var result = TextWordSplitter.Split(text);

        result.Words.Should().Equal("café", "🙂ok", "naïve");
        result.Spans[1].Should().Be(new WordSpan(5, 4));
    }

    [Fact]
    public void Split_ControlOnlyRun_IsDropped()
    {
        TextWordSplitter.Split("a \u200B b (\u200B)").Words.Should().Equal("a", "b", "(", ")");
    }

    [Fact]
    public void GetRange_TwoWords_CoversTextBetweenThem()
    {
        const string text = "in New   York.";
        var result = TextWordSplitter.Split(text);

        text[result.GetRange(1, 2)].Should().Be("New   York");
    }

    [Fact]
    public void Split_Empty_ReturnsNoWords()
    {
        TextWordSplitter.Split("").Words.Should().BeEmpty();
    }

    [Fact]
    public void Split_TwoHundredThousandDots_IsFast()
    {
        string text = new('.', 200_000);

        var watch = Stopwatch.StartNew();
        var result = TextWordSplitter.Split(text);
        watch.Stop();

        result.Words.Should().Equal(text);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData("a.")]
    [InlineData("a.:")]
    [InlineData("'")]
    [InlineData("a'")]
    [InlineData("'s")]
    [InlineData("-")]
    [InlineData("1,")]
    [InlineData("$1")]
    public void Split_LongRepetitiveText_TakesLinearTime(string unit)
    {
        string text = string.Concat(Enumerable.Repeat(unit, 200_000 / unit.Length));
        TextWordSplitter.Split(text[..1000]);

        var watch = Stopwatch.StartNew();
        var result = TextWordSplitter.Split(text);
        watch.Stop();

        // A quadratic pass over 200,000 chars takes well over ten seconds; a linear one takes milliseconds, or about a second
        // on a busy machine for the inputs that make 200,000 words.
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), $"{unit} repeated");
        string.Concat(result.Words).Should().Be(text);
    }

    [Fact]
    public void Join_ConllWords_ReadsLikeNewsText()
    {
        string[] words = ["\"", "We", "do", "n't", "know", ",", "\"", "said", "Peres", "'", "aide", "(", "U.S", ")", "of", "$", "5", "."];

        ConllDetokenizer.Join(words).Should().Be("\"We don't know,\" said Peres' aide (U.S) of $5.");
    }

    [RequiresDataFact]
    public void Split_DetokenisedConllValidation_GivesBackNearlyEverySentence()
    {
        ResplitRate("valid.txt").Should().BeGreaterThanOrEqualTo(0.99);
    }

    [RequiresDataFact]
    public void Split_DetokenisedConllTraining_GivesBackNearlyEverySentence()
    {
        ResplitRate("train.txt").Should().BeGreaterThanOrEqualTo(0.99);
    }

    private double ResplitRate(string fileName)
    {
        string path = TestPaths.DataFile("conll2003", fileName) ?? throw new FileNotFoundException($"conll2003/{fileName} is missing from the shared data folder.");
        List<string[]> sentences = ReadConllWords(path);
        int same = 0;
        int shown = 0;
        foreach (string[] words in sentences)
        {
            string text = ConllDetokenizer.Join(words);
            TextWords result = TextWordSplitter.Split(text);
            SpansOf(text, result).Should().Equal(result.Words);
            if (result.Words.SequenceEqual(words))
            {
                same++;
            }
            else if (shown++ < 10)
            {
                output.WriteLine($"differs: {text}\n  conll: {string.Join(" | ", words)}\n  split: {string.Join(" | ", result.Words)}");
            }
        }

        double rate = (double)same / sentences.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"re-split: {same}/{sentences.Count} sentences ({100 * rate:F2}%) of {fileName}"));
        return rate;
    }

    private static List<string[]> ReadConllWords(string path)
    {
        var sentences = new List<string[]>();
        var words = new List<string>();
        foreach (string line in File.ReadLines(path).Append(""))
        {
            if (line.Trim().Length == 0)
            {
                if (words.Count > 0)
                {
                    sentences.Add([.. words]);
                    words.Clear();
                }
            }
            else if (!line.StartsWith("-DOCSTART-", StringComparison.Ordinal))
            {
                words.Add(line.Split(' ')[0]);
            }
        }

        return sentences;
    }

    private static IEnumerable<string> SpansOf(string text, TextWords result) => result.Spans.Select(s => text[s.Range]);
}
