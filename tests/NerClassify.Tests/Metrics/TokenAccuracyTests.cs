using FluentAssertions;
using NerClassify.Metrics;
using Xunit;

namespace NerClassify.Tests.Metrics;

public sealed class TokenAccuracyTests
{
    [Fact]
    public void Compute_WithoutIgnoreLabel_CountsEveryWord()
    {
        var gold = Tags.Sentences("B-PER O", "O O");
        var predicted = Tags.Sentences("B-PER B-LOC", "O O");

        TokenAccuracy.Compute(gold, predicted).Should().Be(0.75);
    }

    [Fact]
    public void Compute_WithIgnoreLabel_SkipsMarkedAndNullGoldPositions()
    {
        // Counted: positions 0 and 2 of the first sentence and position 0 of the second; 2 of 3 right.
        IReadOnlyList<IReadOnlyList<string?>> gold = [["B-PER", "-100", "O"], ["O", null]];
        IReadOnlyList<IReadOnlyList<string?>> predicted = [["B-PER", "B-LOC", "B-LOC"], ["O", null]];

        TokenAccuracy.Compute(gold, predicted, "-100").Should().BeApproximately(2.0 / 3, 1e-12);
    }

    [Fact]
    public void Compute_EverythingIgnored_ReturnsZero()
    {
        IReadOnlyList<IReadOnlyList<string?>> gold = [[null, null]];
        IReadOnlyList<IReadOnlyList<string?>> predicted = [["O", "O"]];

        TokenAccuracy.Compute(gold, predicted, ignoreLabel: null).Should().Be(0);
    }

    [Fact]
    public void Compute_NullGoldWithoutIgnoreOverload_Throws()
    {
        IReadOnlyList<IReadOnlyList<string>> gold = [["O", null!]];
        var act = () => TokenAccuracy.Compute(gold, Tags.Sentences("O O"));
        act.Should().Throw<ArgumentException>().WithParameterName("gold").WithMessage("Sentence 0, position 1*");
    }

    [Fact]
    public void Compute_NullPredictionAtCountedPosition_Throws()
    {
        IReadOnlyList<IReadOnlyList<string?>> gold = [["O"]];
        IReadOnlyList<IReadOnlyList<string?>> predicted = [[null]];
        var act = () => TokenAccuracy.Compute(gold, predicted, "-100");
        act.Should().Throw<ArgumentException>().WithParameterName("predicted");
    }

    [Fact]
    public void Compute_LengthMismatch_ThrowsNamingSentence()
    {
        var act = () => TokenAccuracy.Compute(Tags.Sentences("O", "O O"), Tags.Sentences("O", "O"));
        act.Should().Throw<ArgumentException>().WithParameterName("predicted").WithMessage("Sentence 1 *");
    }
}
