using FluentAssertions;
using NerClassify.Training;

namespace NerClassify.Tests.Training;

public sealed class DatasetSamplingTests
{
    private static readonly int[] Items = Enumerable.Range(0, 100).ToArray();

    [Fact]
    public void RandomSubset_SameSeed_ReturnsSameItems()
    {
        DatasetSampling.RandomSubset(Items, 10, seed: 3).Should().Equal(DatasetSampling.RandomSubset(Items, 10, seed: 3));
    }

    [Fact]
    public void RandomSubset_DifferentSeed_ReturnsDifferentItems()
    {
        DatasetSampling.RandomSubset(Items, 10, seed: 3).Should().NotEqual(DatasetSampling.RandomSubset(Items, 10, seed: 4));
    }

    [Fact]
    public void RandomSubset_Count_ReturnsDistinctItemsInOriginalOrder()
    {
        var subset = DatasetSampling.RandomSubset(Items, 30, seed: 1);

        subset.Should().HaveCount(30).And.OnlyHaveUniqueItems().And.BeInAscendingOrder();
    }

    [Fact]
    public void RandomSubset_TooMany_Throws()
    {
        var act = () => DatasetSampling.RandomSubset(Items, 101, seed: 1);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void First_Count_ReturnsPrefix()
    {
        DatasetSampling.First(Items, 3).Should().Equal(0, 1, 2);
    }

    [Fact]
    public void OfTokens_Sentences_CountsTags()
    {
        var distribution = LabelDistribution.OfTokens([new ConllSentence(["a", "b", "c"], ["O", "B-PER", "O"])]);

        distribution["O"].Should().Be(2);
        distribution["B-PER"].Should().Be(1);
        distribution["I-PER"].Should().Be(0);
        distribution.Total.Should().Be(3);
        distribution.Entries[0].Key.Should().Be("O");
        distribution.Share("O").Should().BeApproximately(2.0 / 3, 1e-12);
    }

    [Fact]
    public void OfSentences_Rows_CountsLabels()
    {
        var distribution = LabelDistribution.OfSentences([new SentenceLabelRow(0, "World", "a"), new SentenceLabelRow(1, "World", "b"), new SentenceLabelRow(2, "Sport", "c")]);

        distribution.ToString().Should().Be("World: 2, Sport: 1");
    }
}
