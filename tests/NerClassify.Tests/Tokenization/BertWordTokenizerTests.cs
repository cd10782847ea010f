using NerClassify.Tests.TestSupport;
using FluentAssertions;
using NerClassify.Tests.Data;
using NerClassify.Tokenization;

namespace NerClassify.Tests.Tokenization;

public sealed class BertWordTokenizerTests
{
    private static readonly BertWordTokenizer Tokenizer = TestVocabulary.CreateTokenizer();

    private static int Id(string token) => TestVocabulary.IdOf(token);

    [Fact]
    public void Create_FromPath_ExposesSpecialIds()
    {
        using var temp = new TempDirectory();

        var tokenizer = BertWordTokenizer.Create(TestVocabulary.WriteTo(temp.Path));

        (tokenizer.PadId, tokenizer.UnknownId, tokenizer.ClsId, tokenizer.SepId).Should().Be((0, 1, 2, 3));
    }

    [Fact]
    public void TokenizeWord_SuffixedWord_SplitsIntoPieces()
    {
        Tokenizer.TokenizeWord("Jumps").ToArray().Should().Equal(Id("jump"), Id("##s"));
    }

    [Fact]
    public void TokenizeWord_Cased_KeepsCase()
    {
        TestVocabulary.CreateTokenizer(lowerCase: false).TokenizeWord("Paris").ToArray().Should().Equal(Id("Paris"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("🙂")]
    [InlineData("\u200B")]
    public void TokenizeWord_Unrepresentable_BecomesSingleUnknown(string word)
    {
        Tokenizer.TokenizeWord(word).ToArray().Should().Equal(Tokenizer.UnknownId);
    }

    [Fact]
    public void Encode_Words_AddsSpecialsAndLabelsFirstSubwords()
    {
        var encoded = Tokenizer.Encode(["The", "fox", "jumped", "!"], wordLabels: [0, 1, 2, 0], sentenceLabel: 4).Should().ContainSingle().Subject;

        encoded.InputIds.Should().Equal(Id("[CLS]"), Id("the"), Id("fox"), Id("jump"), Id("##ed"), Id("!"), Id("[SEP]"));
        encoded.WordIndex.Should().Equal(-1, 0, 1, 2, 2, 3, -1);
        encoded.Labels.Should().Equal(-100, 0, 1, 2, -100, 0, -100);
        encoded.AttentionMask.Should().OnlyContain(v => v == 1);
        encoded.TokenTypeIds.Should().OnlyContain(v => v == 0);
        encoded.SentenceLabel.Should().Be(4);
    }

    [Fact]
    public void Encode_EmptyWord_KeepsItAsUnknown()
    {
        var encoded = Tokenizer.Encode(["fox", "", "fox"], wordLabels: [1, 2, 3])[0];

        encoded.InputIds.Should().Equal(Id("[CLS]"), Id("fox"), Id("[UNK]"), Id("fox"), Id("[SEP]"));
        encoded.Labels.Should().Equal(-100, 1, 2, 3, -100);
    }

    [Fact]
    public void Encode_WordWithPunctuation_KeepsAllPiecesOnOneWord()
    {
        var encoded = Tokenizer.Encode(["1996-08"])[0];

        encoded.WordIndex.Should().Equal(-1, 0, 0, 0, 0, 0, 0, 0, -1);
    }

    [Fact]
    public void Encode_LongSentenceWindowed_CoversEveryWordWithoutSplittingWords()
    {
        string[] words = Enumerable.Range(0, 40).Select(i => i % 3 == 0 ? "jumped" : "fox").ToArray();

        var windows = Tokenizer.Encode(words, new EncodingOptions { MaxLength = 12, Stride = 4 });

        windows.Should().HaveCountGreaterThan(1);
        windows.Should().OnlyContain(w => w.Length <= 12 && w.WindowCount == windows.Count);
        foreach (var window in windows)
        {
            var content = window.WordIndex[1..^1];
            foreach (var group in content.GroupBy(w => w))
            {
                group.Count().Should().Be(Tokenizer.TokenizeWord(words[group.Key]).Length);
            }
        }

        windows.SelectMany(w => w.WordIndex).Where(i => i >= 0).Distinct().Should().BeEquivalentTo(Enumerable.Range(0, 40));
    }

    [Fact]
    public void Encode_LongSentenceTruncated_ReportsDroppedWords()
    {
        string[] words = Enumerable.Repeat("fox", 20).ToArray();

        var encoded = Tokenizer.Encode(words, new EncodingOptions { MaxLength = 12, Stride = 2, Overflow = OverflowHandling.Truncate }).Should().ContainSingle().Subject;

        encoded.Length.Should().Be(12);
        encoded.TruncatedWordCount.Should().Be(10);
    }

    [Fact]
    public void Encode_WordLongerThanWindow_KeepsItsFirstSubwords()
    {
        var windows = Tokenizer.Encode(["fox", "abcdefghij", "fox"], new EncodingOptions { MaxLength = 6, Stride = 1 }, wordLabels: [1, 2, 3]);

        var merged = WindowMerger.MergeWordValues(windows, windows.Select(w => (IReadOnlyList<long>)w.Labels!).ToList(), 3);
        merged.Should().Equal(1, 2, 3);
    }

    [Fact]
    public void Encode_LabelCountMismatch_Throws()
    {
        var act = () => Tokenizer.Encode(["a", "b"], wordLabels: [1]);

        act.Should().Throw<ArgumentException>().WithParameterName("wordLabels");
    }

    [Fact]
    public void Encode_StrideNotBelowContent_ThrowsNamingProperty()
    {
        var act = () => Tokenizer.Encode(["a"], new EncodingOptions { MaxLength = 8, Stride = 6 });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Stride");
    }
}
