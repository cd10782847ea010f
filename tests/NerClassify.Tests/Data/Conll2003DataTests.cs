using FluentAssertions;
using NerClassify.Data;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Data;

public sealed class Conll2003DataTests
{
    private static string TrainPath => TestPaths.DataFile("conll2003", "train.txt")!;

    [RequiresDataFact]
    public async Task LoadAsync_Conll2003Train_HasPublishedCounts()
    {
        var corpus = await new ConllReader().LoadAsync(TrainPath);

        corpus.Sentences.Should().HaveCount(14_041);
        corpus.Documents.Should().HaveCount(946);
        corpus.TokenCount.Should().Be(203_621);
        corpus.DetectedScheme.Should().Be(LabelScheme.Iob2);
        corpus.Warnings.Should().BeEmpty();
        LabelSet.FromSentences(corpus.Sentences).Labels
            .Should().Equal("O", "B-LOC", "I-LOC", "B-MISC", "I-MISC", "B-ORG", "I-ORG", "B-PER", "I-PER");
    }

    [RequiresDataFact]
    public async Task ReadAsync_Conll2003Train_StreamsSameSentencesAsLoad()
    {
        int count = 0;
        int tokens = 0;
        await foreach (var sentence in new ConllReader().ReadAsync(TrainPath, new ConllReaderOptions { Scheme = LabelScheme.Iob2, InvalidTransitions = InvalidTransitionHandling.Throw }))
        {
            sentence.Index.Should().Be(count);
            count++;
            tokens += sentence.Count;
        }

        count.Should().Be(14_041);
        tokens.Should().Be(203_621);
    }

    [RequiresDataFact]
    public async Task Join_TopicsTrain_AllRowsMatchTheirSentences()
    {
        var corpus = await new ConllReader().LoadAsync(TrainPath);
        string tsv = TestPaths.DataFile("conll2003-topics", "train.tsv")!;
        var rows = await SentenceLabelFile.LoadAsync(tsv);

        var joined = SentenceLabelFile.Join(corpus.Sentences, rows, tsv);

        joined.Should().HaveCount(2_000);
        var distribution = LabelDistribution.OfSentences(rows);
        distribution["World"].Should().Be(465);
        distribution["Sport"].Should().Be(891);
        distribution["Technology"].Should().Be(16);
    }
}
