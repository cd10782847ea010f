using FluentAssertions;
using NerClassify.Tokenization;

namespace NerClassify.Tests.Tokenization;

public sealed class TextWordSplitterTests
{
    [Fact]
    public void Split_PunctuationAndSpaces_SeparatesWordsWithOffsets()
    {
        const string text = "  Hello, Mr. O'Neil!";

        var result = TextWordSplitter.Split(text);

        result.Words.Should().Equal("Hello", ",", "Mr", ".", "O", "'", "Neil", "!");
        result.Spans.Select(s => text[s.Range]).Should().Equal(result.Words);
        result.Spans[0].Should().Be(new WordSpan(2, 5));
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
        TextWordSplitter.Split("a \u200B b").Words.Should().Equal("a", "b");
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
}
