using FluentAssertions;
using NerClassify.Labelling;

namespace NerClassify.Tests.Labelling;

public sealed class LabelAnswerParserTests
{
    private static readonly IReadOnlyList<string> Categories = SentenceLabellerOptions.DefaultCategories;

    [Theory]
    [InlineData("2", 2)]
    [InlineData(" 0\n", 0)]
    [InlineData("4.", 4)]
    [InlineData("**3**", 3)]
    [InlineData("The topic is 2 (Business).", 2)]
    [InlineData("Label: 1", 1)]
    [InlineData("Sport", 1)]
    [InlineData("technology", 3)]
    [InlineData("The answer is 1, Sport.", 1)]
    [InlineData("World (0)", 0)]
    [InlineData("Class 7, no: 2", 2)]
    public void Parse_ExactlyOneValidClass_ReturnsIt(string answer, int expected)
    {
        LabelAnswerParser.Parse(answer, Categories).Should().Be(expected);
    }

    [Theory]
    [InlineData("7")]
    [InlineData("banana")]
    [InlineData("1 or 2")]
    [InlineData("Sport or Business")]
    [InlineData("2 (Sport)")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("2.5")]
    [InlineData("-1")]
    [InlineData("12")]
    [InlineData("2nd")]
    [InlineData("Sports")]
    [InlineData("99999999999999999999")]
    public void Parse_NoOrSeveralValidClasses_ReturnsNull(string answer)
    {
        LabelAnswerParser.Parse(answer, Categories).Should().BeNull();
    }

    [Fact]
    public void Parse_Null_ReturnsNull()
    {
        LabelAnswerParser.Parse(null, Categories).Should().BeNull();
    }
}
