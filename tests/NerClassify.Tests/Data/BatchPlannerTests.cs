using FluentAssertions;
using NerClassify.Data;
using NerClassify.Tokenization;

namespace NerClassify.Tests.Data;

public sealed class BatchPlannerTests
{
    private static EncodedSentence Item(int length, long? sentenceLabel = null, bool labels = true)
    {
        var ids = Enumerable.Range(0, length).Select(i => (long)(i + 10)).ToArray();
        return new EncodedSentence(ids, Enumerable.Repeat(1L, length).ToArray(), new long[length], Enumerable.Range(-1, length).ToArray())
        {
            Labels = labels ? Enumerable.Repeat(1L, length).ToArray() : null,
            SentenceLabel = sentenceLabel,
        };
    }

    [Fact]
    public void Collate_DifferentLengths_PadsToLongest()
    {
        var batch = BatchCollator.Collate([Item(3, 2), Item(5, null, labels: false)], padId: 0);

        batch.BatchSize.Should().Be(2);
        batch.SequenceLength.Should().Be(5);
        batch.InputIds.Should().Equal(10, 11, 12, 0, 0, 10, 11, 12, 13, 14);
        batch.AttentionMask.Should().Equal(1, 1, 1, 0, 0, 1, 1, 1, 1, 1);
        batch.Labels.Should().Equal(1, 1, 1, -100, -100, -100, -100, -100, -100, -100);
        batch.SentenceLabels.Should().Equal(2, -100);
        batch.PaddingTokenCount.Should().Be(2);
        batch.PaddingShare.Should().BeApproximately(0.2, 1e-12);
        batch.WordIndex[0].Should().HaveCount(3);
    }

    [Fact]
    public void Collate_NoLabels_LeavesLabelArraysNull()
    {
        var batch = BatchCollator.Collate([Item(2, labels: false)], padId: 0);

        batch.Labels.Should().BeNull();
        batch.SentenceLabels.Should().BeNull();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Plan_AnyMode_UsesEveryIndexOnce(bool bucketing)
    {
        var lengths = Enumerable.Range(0, 1000).Select(i => (i * 37) % 90 + 3).ToArray();

        var plan = BatchPlanner.Plan(lengths, new BatchingOptions { BatchSize = 16, LengthBucketing = bucketing, Seed = 5 });

        plan.SelectMany(b => b).Should().BeEquivalentTo(Enumerable.Range(0, 1000));
        plan.Take(plan.Count - 1).Should().OnlyContain(b => b.Length <= 16);
    }

    [Fact]
    public void Plan_SameSeed_IsReproducible()
    {
        var lengths = Enumerable.Range(0, 200).Select(i => i % 17).ToArray();
        var options = new BatchingOptions { BatchSize = 8, Seed = 11 };

        BatchPlanner.Plan(lengths, options).Should().BeEquivalentTo(BatchPlanner.Plan(lengths, options), o => o.WithStrictOrdering());
    }

    [Fact]
    public void CreateBatches_Bucketing_WastesLessPaddingThanRandom()
    {
        var random = new Random(2);
        var items = Enumerable.Range(0, 800).Select(_ => Item(random.Next(3, 60))).ToArray();

        var bucketed = PaddingStatistics.Compute(BatchPlanner.CreateBatches(items, 0, new BatchingOptions { LengthBucketing = true }));
        var plain = PaddingStatistics.Compute(BatchPlanner.CreateBatches(items, 0, new BatchingOptions { LengthBucketing = false }));

        bucketed.OverallShare.Should().BeLessThan(plain.OverallShare / 3);
        bucketed.BatchCount.Should().Be(50);
    }

    [Fact]
    public void Plan_NoShuffleNoBucketing_KeepsInputOrder()
    {
        var plan = BatchPlanner.Plan([5, 1, 3], new BatchingOptions { BatchSize = 2, Shuffle = false, LengthBucketing = false });

        plan.Should().BeEquivalentTo(new[] { new[] { 0, 1 }, new[] { 2 } }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Plan_ZeroBatchSize_ThrowsNamingProperty()
    {
        var act = () => BatchPlanner.Plan([1], new BatchingOptions { BatchSize = 0 });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("BatchSize");
    }
}
