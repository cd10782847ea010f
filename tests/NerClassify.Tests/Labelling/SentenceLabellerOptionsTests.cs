using FluentAssertions;
using NerClassify.Labelling;

namespace NerClassify.Tests.Labelling;

public sealed class SentenceLabellerOptionsTests
{
    public static TheoryData<SentenceLabellerOptions, string> InvalidOptions => new()
    {
        { SentenceLabellerOptions.Default with { Categories = [] }, nameof(SentenceLabellerOptions.Categories) },
        { SentenceLabellerOptions.Default with { Categories = ["A", "a"] }, nameof(SentenceLabellerOptions.Categories) },
        { SentenceLabellerOptions.Default with { Categories = ["A", "3"] }, nameof(SentenceLabellerOptions.Categories) },
        { SentenceLabellerOptions.Default with { Categories = ["A\tB"] }, nameof(SentenceLabellerOptions.Categories) },
        { SentenceLabellerOptions.Default with { InstructionTemplate = "Classify this." }, nameof(SentenceLabellerOptions.InstructionTemplate) },
        { SentenceLabellerOptions.Default with { FewShotExamples = [new FewShotExample("x", 5)] }, nameof(SentenceLabellerOptions.FewShotExamples) },
        { SentenceLabellerOptions.Default with { ModelId = " " }, nameof(SentenceLabellerOptions.ModelId) },
        { SentenceLabellerOptions.Default with { Temperature = -0.1f }, nameof(SentenceLabellerOptions.Temperature) },
        { SentenceLabellerOptions.Default with { MaxOutputTokens = 0 }, nameof(SentenceLabellerOptions.MaxOutputTokens) },
        { SentenceLabellerOptions.Default with { MaxAttempts = 0 }, nameof(SentenceLabellerOptions.MaxAttempts) },
        { SentenceLabellerOptions.Default with { InitialBackoff = TimeSpan.FromSeconds(-1) }, nameof(SentenceLabellerOptions.InitialBackoff) },
        { SentenceLabellerOptions.Default with { MaxBackoff = TimeSpan.FromMilliseconds(1) }, nameof(SentenceLabellerOptions.MaxBackoff) },
        { SentenceLabellerOptions.Default with { RequestTimeout = TimeSpan.Zero }, nameof(SentenceLabellerOptions.RequestTimeout) },
        { SentenceLabellerOptions.Default with { MaxConcurrency = 0 }, nameof(SentenceLabellerOptions.MaxConcurrency) },
    };

    [Fact]
    public void Default_MatchesTheReport()
    {
        var options = SentenceLabellerOptions.Default;

        options.Categories.Should().Equal("World", "Sport", "Business", "Technology", "Other");
        options.Temperature.Should().Be(0.2f);
        options.FewShotExamples.Should().BeEmpty();
        options.Invoking(o => o.Validate()).Should().NotThrow();
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_OutOfRange_ThrowsNamingTheProperty(SentenceLabellerOptions options, string property)
    {
        options.Invoking(o => o.Validate()).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(property);
    }

    [Fact]
    public void Validate_InfiniteTimeoutAndNoTemperature_Accepted()
    {
        var options = SentenceLabellerOptions.Default with { RequestTimeout = Timeout.InfiniteTimeSpan, Temperature = null };

        options.Invoking(o => o.Validate()).Should().NotThrow();
    }
}
