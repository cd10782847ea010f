using System.Text.Json;
using FluentAssertions;
using NerClassify.Data;
using NerClassify.Metrics;
using Xunit;

namespace NerClassify.Tests.Metrics;

public sealed class ReportTests
{
    private static EntityReport MixedEntityReport() =>
        EntityMetrics.Compute(
            Tags.Sentences("B-PER I-PER O B-LOC", "B-ORG O B-PER"),
            Tags.Sentences("B-PER I-PER O B-ORG", "B-ORG O O"));

    private static ClassificationReport SentimentReport() =>
        ClassificationMetrics.Compute(
            ["pos", "pos", "neg", "neg", "neu"],
            ["pos", "neg", "neg", "neg", "pos"]);

    [Fact]
    public void EntityReportToText_MixedExample_MatchesSeqevalLayout()
    {
        // Scores from EntityMetricsTests.Compute_MixedErrors_GivesHandCheckedScores.
        // The weighted precision is exactly 0.625; .NET formats the tie as 0.62, as Python (and so seqeval) does.
        const string expected =
            "              precision    recall  f1-score   support\n" +
            "\n" +
            "         LOC       0.00      0.00      0.00         1\n" +
            "         ORG       0.50      1.00      0.67         1\n" +
            "         PER       1.00      0.50      0.67         2\n" +
            "\n" +
            "   micro avg       0.67      0.50      0.57         4\n" +
            "   macro avg       0.50      0.50      0.44         4\n" +
            "weighted avg       0.62      0.50      0.50         4\n";

        MixedEntityReport().ToText().Should().Be(expected);
    }

    [Fact]
    public void EntityReportToText_AllOutside_PrintsOnlyAverages()
    {
        var tags = Tags.Sentences("O O");
        const string expected =
            "              precision    recall  f1-score   support\n" +
            "\n" +
            "   micro avg       0.00      0.00      0.00         0\n" +
            "   macro avg       0.00      0.00      0.00         0\n" +
            "weighted avg       0.00      0.00      0.00         0\n";

        EntityMetrics.Compute(tags, tags).ToText().Should().Be(expected);
    }

    [Fact]
    public void EntityReportToText_MoreDigits_WidensNothingUntilNeeded()
    {
        var lines = MixedEntityReport().ToText(digits: 4).Split('\n');

        lines[2].Should().Be("         LOC     0.0000    0.0000    0.0000         1");
        lines[8].Should().Be("weighted avg     0.6250    0.5000    0.5000         4");
    }

    [Fact]
    public void EntityReportToText_LongTypeName_WidensNameColumn()
    {
        var tags = Tags.Sentences("B-WORK_OF_ART_TITLE");
        var lines = EntityMetrics.Compute(tags, tags).ToText().Split('\n');

        lines[2].Should().Be("WORK_OF_ART_TITLE       1.00      1.00      1.00         1");
        lines[6].Should().Be("     weighted avg       1.00      1.00      1.00         1");
    }

    [Fact]
    public void EntityReportToText_NegativeDigits_Throws()
    {
        var act = () => MixedEntityReport().ToText(-1);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void ClassificationReportToText_Example_MatchesScikitLearnLayout()
    {
        // neg: P 2/3 R 1 F1 0.8 | neu: 0 | pos: 0.5 each. Accuracy 3/5.
        // macro: P (2/3 + 0 + 1/2)/3 = 0.389, R 0.5, F1 1.3/3 = 0.433.
        // weighted (2, 1, 2): P (4/3 + 1)/5 = 0.467, R 3/5, F1 2.6/5 = 0.52.
        const string expected =
            "              precision    recall  f1-score   support\n" +
            "\n" +
            "         neg       0.67      1.00      0.80         2\n" +
            "         neu       0.00      0.00      0.00         1\n" +
            "         pos       0.50      0.50      0.50         2\n" +
            "\n" +
            "    accuracy                           0.60         5\n" +
            "   macro avg       0.39      0.50      0.43         5\n" +
            "weighted avg       0.47      0.60      0.52         5\n";

        SentimentReport().ToText().Should().Be(expected);
    }

    [Fact]
    public void ConfusionMatrixToText_Example_AlignsTruthRowsUnderPredictionColumns()
    {
        const string expected =
            "truth \\ predicted  neg  neu  pos\n" +
            "              neg    2    0    0\n" +
            "              neu    0    0    1\n" +
            "              pos    1    0    1\n";

        SentimentReport().ConfusionMatrix.ToText().Should().Be(expected);
    }

    [Fact]
    public void EntityReportJson_RoundTrip_KeepsEveryValue()
    {
        var report = EntityMetrics.Compute(
            Tags.Sentences("B-PER I-PER O S-LOC"),
            Tags.Sentences("B-PER E-PER O S-LOC"),
            LabelScheme.Bioes,
            EntityMatchingMode.Strict);

        var json = JsonSerializer.Serialize(report);
        var back = JsonSerializer.Deserialize<EntityReport>(json);

        back.Should().BeEquivalentTo(report);
        back!.ToText().Should().Be(report.ToText());
        json.Should().Contain("\"Scheme\":\"Bioes\"").And.Contain("\"Mode\":\"Strict\"");
    }

    [Fact]
    public void EntityReportJson_Serialised_OmitsDerivedShortcuts()
    {
        var json = JsonSerializer.Serialize(MixedEntityReport());

        json.Should().NotContain("\"MacroF1\"").And.Contain("\"PerType\"").And.Contain("\"Micro\"");
    }

    [Fact]
    public void ClassificationReportJson_RoundTrip_KeepsEveryValue()
    {
        var report = SentimentReport();

        var json = JsonSerializer.Serialize(report);
        var back = JsonSerializer.Deserialize<ClassificationReport>(json);

        back.Should().BeEquivalentTo(report);
        back!.ConfusionMatrix["pos", "neg"].Should().Be(1);
        back.ToText().Should().Be(report.ToText());
    }
}
