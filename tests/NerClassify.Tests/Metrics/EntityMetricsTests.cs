using FluentAssertions;
using NerClassify.Data;
using NerClassify.Metrics;
using Xunit;

namespace NerClassify.Tests.Metrics;

public sealed class EntityMetricsTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void Compute_ExactMatch_ScoresOne()
    {
        var tags = Tags.Sentences("B-PER I-PER O B-LOC", "O S-ORG");
        var report = EntityMetrics.Compute(tags, tags);

        report.Precision.Should().Be(1);
        report.Recall.Should().Be(1);
        report.F1.Should().Be(1);
        report.TokenAccuracy.Should().Be(1);
        report.Micro.Support.Should().Be(3);
    }

    [Fact]
    public void Compute_TypeError_CountsNoMatch()
    {
        // Same span, wrong type: one gold PER, one predicted LOC, zero correct.
        var report = EntityMetrics.Compute(Tags.Sentences("O B-PER I-PER"), Tags.Sentences("O B-LOC I-LOC"));

        report.F1.Should().Be(0);
        report.PerType["PER"].Should().Be(new ClassScores(0, 0, 0, Support: 1, Predicted: 0, Correct: 0));
        report.PerType["LOC"].Should().Be(new ClassScores(0, 0, 0, Support: 0, Predicted: 1, Correct: 0));
    }

    [Fact]
    public void Compute_BoundaryError_CountsNoMatch()
    {
        // Gold PER covers words 0..3, the prediction 0..2: right type, wrong end.
        var report = EntityMetrics.Compute(Tags.Sentences("B-PER I-PER I-PER"), Tags.Sentences("B-PER I-PER O"));

        report.Micro.Correct.Should().Be(0);
        report.Micro.Predicted.Should().Be(1);
        report.Micro.Support.Should().Be(1);
        report.TokenAccuracy.Should().BeApproximately(2.0 / 3, Tolerance);
    }

    [Fact]
    public void Compute_MixedErrors_GivesHandCheckedScores()
    {
        // Gold: PER 0..2, LOC 3..4 | ORG 0..1, PER 2..3  -> 4 gold (LOC 1, ORG 1, PER 2).
        // Pred: PER 0..2, ORG 3..4 | ORG 0..1            -> 3 predicted (ORG 2, PER 1), 2 correct.
        var gold = Tags.Sentences("B-PER I-PER O B-LOC", "B-ORG O B-PER");
        var predicted = Tags.Sentences("B-PER I-PER O B-ORG", "B-ORG O O");

        var report = EntityMetrics.Compute(gold, predicted);

        report.Precision.Should().BeApproximately(2.0 / 3, Tolerance);
        report.Recall.Should().BeApproximately(0.5, Tolerance);
        report.F1.Should().BeApproximately(4.0 / 7, Tolerance);
        report.PerType.Keys.Should().Equal("LOC", "ORG", "PER");
        report.PerType["ORG"].F1.Should().BeApproximately(2.0 / 3, Tolerance); // P 1/2, R 1/1
        report.PerType["PER"].F1.Should().BeApproximately(2.0 / 3, Tolerance); // P 1/1, R 1/2
        report.PerType["LOC"].F1.Should().Be(0);

        // Macro: mean over LOC, ORG, PER. Weighted: supports 1, 1, 2.
        report.Macro.Precision.Should().BeApproximately(0.5, Tolerance);
        report.MacroF1.Should().BeApproximately(4.0 / 9, Tolerance);
        report.Weighted.Precision.Should().BeApproximately(0.625, Tolerance);
        report.Weighted.Recall.Should().BeApproximately(0.5, Tolerance);
        report.WeightedF1.Should().BeApproximately(0.5, Tolerance);
        report.TokenAccuracy.Should().BeApproximately(5.0 / 7, Tolerance);
        report.TokenCount.Should().Be(7);
    }

    [Fact]
    public void Compute_InsideStartPrediction_LenientMatchesStrictDoesNot()
    {
        // The prediction starts PER with I-. Lenient (conlleval) reads PER 0..2 and matches the gold;
        // strict IOB2 (seqeval strict) finds no predicted entity.
        var gold = Tags.Sentences("B-PER I-PER O");
        var predicted = Tags.Sentences("I-PER I-PER O");

        EntityMetrics.Compute(gold, predicted).F1.Should().Be(1);
        EntityMetrics.Compute(gold, predicted, LabelScheme.Iob2, EntityMatchingMode.Strict).F1.Should().Be(0);
    }

    [Fact]
    public void Compute_EntitiesAtSentenceEnd_DoNotRunIntoNextSentence()
    {
        // Each sentence ends inside PER and the next starts with I-PER; sentences are read separately,
        // so these are two entities, not one that spans the boundary.
        var tags = Tags.Sentences("O B-PER", "I-PER O");
        var report = EntityMetrics.Compute(tags, Tags.Sentences("O B-PER", "B-PER O"));

        report.Micro.Support.Should().Be(2);
        report.Micro.Correct.Should().Be(2);
    }

    [Fact]
    public void Compute_EmptySentences_AreSkipped()
    {
        var gold = Tags.Sentences("", "B-PER", "");
        var report = EntityMetrics.Compute(gold, gold);

        report.F1.Should().Be(1);
        report.TokenCount.Should().Be(1);
    }

    [Fact]
    public void Compute_AllOutside_ReportsZeroNotNaN()
    {
        // No entity on either side: seqeval and conlleval both report 0 here.
        var tags = Tags.Sentences("O O", "O");
        var report = EntityMetrics.Compute(tags, tags);

        report.Precision.Should().Be(0);
        report.Recall.Should().Be(0);
        report.F1.Should().Be(0);
        report.MacroF1.Should().Be(0);
        report.WeightedF1.Should().Be(0);
        report.PerType.Should().BeEmpty();
        report.TokenAccuracy.Should().Be(1);
    }

    [Fact]
    public void Compute_NoSentences_ReportsZeros()
    {
        var report = EntityMetrics.Compute([], []);

        report.F1.Should().Be(0);
        report.TokenAccuracy.Should().Be(0);
        report.TokenCount.Should().Be(0);
    }

    [Fact]
    public void Compute_BioesSingletons_MatchPerWord()
    {
        var gold = Tags.Sentences("S-PER S-PER O S-LOC");
        var predicted = Tags.Sentences("S-PER O O S-LOC");

        var report = EntityMetrics.Compute(gold, predicted, LabelScheme.Bioes, EntityMatchingMode.Strict);

        report.Micro.Support.Should().Be(3);
        report.Micro.Correct.Should().Be(2);
        report.Precision.Should().Be(1);
        report.Recall.Should().BeApproximately(2.0 / 3, Tolerance);
    }

    [Fact]
    public void Compute_PredictionOnlyType_CountsInMacroButNotWeighted()
    {
        var gold = Tags.Sentences("B-PER O");
        var predicted = Tags.Sentences("B-PER B-LOC");

        var report = EntityMetrics.Compute(gold, predicted);

        report.PerType["LOC"].Support.Should().Be(0);
        report.MacroF1.Should().BeApproximately(0.5, Tolerance); // (1 + 0) / 2
        report.WeightedF1.Should().Be(1);                        // LOC has weight 0
    }

    [Fact]
    public void Compute_SentenceCountMismatch_ThrowsNamingPredicted()
    {
        var act = () => EntityMetrics.Compute(Tags.Sentences("O", "O"), Tags.Sentences("O"));
        act.Should().Throw<ArgumentException>().WithParameterName("predicted");
    }

    [Fact]
    public void Compute_SentenceLengthMismatch_ThrowsNamingSentence()
    {
        var act = () => EntityMetrics.Compute(Tags.Sentences("O", "O O"), Tags.Sentences("O", "O"));
        act.Should().Throw<ArgumentException>().WithParameterName("predicted").WithMessage("Sentence 1 *");
    }

    [Fact]
    public void Compute_MalformedGoldTagInStrictMode_ThrowsNamingGoldAndSentence()
    {
        var act = () => EntityMetrics.Compute(Tags.Sentences("O", "O PER"), Tags.Sentences("O", "O O"), LabelScheme.Iob2, EntityMatchingMode.Strict);
        act.Should().Throw<ArgumentException>().WithParameterName("gold").WithMessage("Sentence 1, position 1*");
    }

    [Fact]
    public void Compute_NullSentence_Throws()
    {
        IReadOnlyList<IReadOnlyList<string>> gold = [Tags.Of("O"), null!];
        var act = () => EntityMetrics.Compute(gold, Tags.Sentences("O", "O"));
        act.Should().Throw<ArgumentException>().WithParameterName("gold").WithMessage("Sentence 1 *");
    }

    [Fact]
    public void Compute_NullGold_Throws()
    {
        var act = () => EntityMetrics.Compute(null!, Tags.Sentences("O"));
        act.Should().Throw<ArgumentNullException>().WithParameterName("gold");
    }

    [Fact]
    public void Compute_Report_RecordsSchemeAndMode()
    {
        var report = EntityMetrics.Compute(Tags.Sentences("S-PER"), Tags.Sentences("S-PER"), LabelScheme.Bioes, EntityMatchingMode.Strict);

        report.Scheme.Should().Be(LabelScheme.Bioes);
        report.Mode.Should().Be(EntityMatchingMode.Strict);
    }
}
