using FluentAssertions;
using NerClassify.Metrics;
using Xunit;

namespace NerClassify.Tests.Metrics;

public sealed class ClassificationMetricsTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void Compute_HandCheckedExample_GivesPerClassScores()
    {
        // truth:  pos pos neg neg neu
        // guess:  pos neg neg neg pos
        // pos: predicted 2, correct 1, support 2 -> P 1/2, R 1/2, F1 1/2
        // neg: predicted 3, correct 2, support 2 -> P 2/3, R 1,   F1 4/5
        // neu: predicted 0, correct 0, support 1 -> 0, 0, 0
        var report = ClassificationMetrics.Compute(
            ["pos", "pos", "neg", "neg", "neu"],
            ["pos", "neg", "neg", "neg", "pos"]);

        report.Accuracy.Should().BeApproximately(0.6, Tolerance);
        report.PerClass["pos"].Should().Be(new ClassScores(0.5, 0.5, 0.5, Support: 2, Predicted: 2, Correct: 1));
        report.PerClass["neg"].Precision.Should().BeApproximately(2.0 / 3, Tolerance);
        report.PerClass["neg"].F1.Should().BeApproximately(0.8, Tolerance);
        report.PerClass["neu"].Should().Be(new ClassScores(0, 0, 0, Support: 1, Predicted: 0, Correct: 0));
        report.MacroF1.Should().BeApproximately(1.3 / 3, Tolerance);               // (0.5 + 0.8 + 0) / 3
        report.WeightedF1.Should().BeApproximately((2 * 0.5 + 2 * 0.8) / 5, Tolerance);
    }

    [Fact]
    public void Compute_NoClassNames_OrdersSeenClassesOrdinally()
    {
        var report = ClassificationMetrics.Compute(["b", "a"], ["c", "a"]);

        report.ConfusionMatrix.Labels.Should().Equal("a", "b", "c");
    }

    [Fact]
    public void Compute_ConfusionMatrix_HasTruthRowsAndPredictionColumns()
    {
        var report = ClassificationMetrics.Compute(["x", "x", "y"], ["y", "y", "y"], ["x", "y"]);

        report.ConfusionMatrix.Counts.Should().BeEquivalentTo(new[] { new[] { 0, 2 }, new[] { 0, 1 } }, o => o.WithStrictOrdering());
        report.ConfusionMatrix["x", "y"].Should().Be(2);
        report.ConfusionMatrix["y", "x"].Should().Be(0);
    }

    [Fact]
    public void Compute_ClassAbsentFromDataAndPredictions_ReportsZeroNotNaN()
    {
        var report = ClassificationMetrics.Compute(["a", "a"], ["a", "a"], ["a", "unused"]);

        report.PerClass["unused"].Should().Be(new ClassScores(0, 0, 0, 0, 0, 0));
        report.MacroF1.Should().Be(0.5);
        report.WeightedF1.Should().Be(1);
        double.IsNaN(report.Macro.Precision).Should().BeFalse();
    }

    [Fact]
    public void Compute_ClassOnlyPredicted_HasZeroRecallAndPrecision()
    {
        var report = ClassificationMetrics.Compute(["a"], ["b"]);

        report.PerClass["b"].Should().Be(new ClassScores(0, 0, 0, Support: 0, Predicted: 1, Correct: 0));
        report.Accuracy.Should().Be(0);
    }

    [Fact]
    public void Compute_NoExamples_ReportsZeros()
    {
        var report = ClassificationMetrics.Compute([], [], ["a"]);

        report.Accuracy.Should().Be(0);
        report.Count.Should().Be(0);
        report.MacroF1.Should().Be(0);
        report.WeightedF1.Should().Be(0);
    }

    [Fact]
    public void Compute_LengthMismatch_ThrowsNamingPredicted()
    {
        var act = () => ClassificationMetrics.Compute(["a", "b"], ["a"]);
        act.Should().Throw<ArgumentException>().WithParameterName("predicted");
    }

    [Fact]
    public void Compute_LabelOutsideClassNames_ThrowsNamingIndex()
    {
        var act = () => ClassificationMetrics.Compute(["a", "a"], ["a", "z"], ["a"]);
        act.Should().Throw<ArgumentException>().WithParameterName("predicted").WithMessage("Item 1 *");
    }

    [Fact]
    public void Compute_DuplicateClassName_Throws()
    {
        var act = () => ClassificationMetrics.Compute(["a"], ["a"], ["a", "a"]);
        act.Should().Throw<ArgumentException>().WithParameterName("classNames");
    }

    [Fact]
    public void Compute_NullItem_ThrowsNamingIndex()
    {
        var act = () => ClassificationMetrics.Compute(["a", null!], ["a", "a"]);
        act.Should().Throw<ArgumentException>().WithParameterName("gold").WithMessage("Item 1 *");
    }

    [Fact]
    public void ConfusionMatrixIndexer_UnknownLabel_Throws()
    {
        var matrix = ClassificationMetrics.Compute(["a"], ["a"]).ConfusionMatrix;
        var act = () => matrix["a", "q"];
        act.Should().Throw<KeyNotFoundException>();
    }
}
