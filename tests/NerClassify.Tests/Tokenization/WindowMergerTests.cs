using FluentAssertions;
using NerClassify.Tokenization;

namespace NerClassify.Tests.Tokenization;

public sealed class WindowMergerTests
{
    private static EncodedSentence Window(params int[] words)
    {
        int[] wordIndex = [-1, .. words, -1];
        return new EncodedSentence(new long[wordIndex.Length], new long[wordIndex.Length], new long[wordIndex.Length], wordIndex);
    }

    [Fact]
    public void SelectPositions_OverlappingWindows_PicksWindowWithMostContext()
    {
        // Words 0-5 then 3-9: word 3 has more context in window 0, word 5 in window 1, word 4 ties.
        var windows = new[] { Window(0, 1, 2, 3, 4, 5), Window(3, 4, 5, 6, 7, 8, 9) };

        var positions = WindowMerger.SelectPositions(windows, 10);

        positions[2].Should().Be(new WordPosition(0, 3));
        positions[3].Should().Be(new WordPosition(0, 4));
        positions[4].Should().Be(new WordPosition(0, 5), "a tie goes to the earlier window");
        positions[5].Should().Be(new WordPosition(1, 3));
        positions[9].Should().Be(new WordPosition(1, 7));
    }

    [Fact]
    public void SelectPositions_SentenceEdge_IsNotAWindowEdge()
    {
        var positions = WindowMerger.SelectPositions([Window(0, 1, 2), Window(1, 2, 3)], 4);

        positions[0].Window.Should().Be(0);
        positions[3].Window.Should().Be(1);
    }

    [Fact]
    public void SelectPositions_MissingWord_Throws()
    {
        var act = () => WindowMerger.SelectPositions([Window(0, 1)], 3);

        act.Should().Throw<ArgumentException>().WithMessage("*Word 2*");
    }
}
