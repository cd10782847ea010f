using FluentAssertions;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Heads;
using NerClassify.Metrics;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using NerClassify.Training;
using Xunit;
using static TorchSharp.torch;

namespace NerClassify.Tests.Training;

/// <summary>
/// Issue 27: the defaults are the documented best setting, the report's settings are presets, a labelled subset and the
/// unlabelled rest come from one set of files, and a model that collapsed to one class is reported.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class TrainingSetupTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Defaults_AreTheDocumentedBestSetting()
    {
        var trainer = new TrainerOptions();
        var model = new ModelOptions();

        (trainer.LearningRate, trainer.Epochs, trainer.WarmupRatio, trainer.FreezeWordEmbeddings).Should().Be((2e-4, 10, 0.1, true));
        (trainer.HeadLearningRateMultiplier, trainer.LayerLearningRateDecay, trainer.BatchSize, trainer.WeightDecay).Should().Be((5.0, 0.9, 16, 0.01));
        (model.TokenHead.CasingInput, model.SentencePooling).Should().Be((true, SentencePooling.Mean));
        new SelfTrainingOptions().StudentEpochs.Should().Be(2);
    }

    [Fact]
    public void Presets_Table2AndReport_GiveTheReportsSettings()
    {
        TrainerOptions table2 = TrainerOptions.Table2;
        TrainerOptions report = TrainerOptions.Report;

        (table2.LearningRate, table2.Epochs, table2.WarmupRatio, table2.FreezeWordEmbeddings, table2.HeadLearningRateMultiplier, table2.LayerLearningRateDecay)
            .Should().Be((2e-4, 10, 0.1, true, 1.0, 1.0));
        ModelOptions.Table2.SentencePooling.Should().Be(SentencePooling.Cls);
        ModelOptions.Table2.TokenHead.CasingInput.Should().BeTrue();
        (report.LearningRate, report.Epochs, report.WarmupRatio, report.FreezeWordEmbeddings, report.HeadLearningRateMultiplier, report.LayerLearningRateDecay)
            .Should().Be((5e-5, 4, 0.0, false, 1.0, 1.0));
        ModelOptions.Report.TokenHead.CasingInput.Should().BeFalse();
        ModelOptions.Report.SentencePooling.Should().Be(SentencePooling.Cls);
        (table2 with { HeadLearningRateMultiplier = 5, LayerLearningRateDecay = 0.9 }).Should().Be(new TrainerOptions(), "Table 2 differs from the defaults in these two values only");
    }

    [Fact]
    public async Task LoadAsync_FirstNRows_TakesThoseRowsInFileOrderAndTheRestAsWordsOnly()
    {
        TrainingFiles files = Files() with { LabelledCount = 2, UnlabelledRest = true };

        TrainingFileSet data = await TrainingFileSet.LoadAsync(TaskKind.Multitask, files);

        // Rows 0 and 1 of the label file name sentences 4 and 1, in that order.
        data.Labelled.Select(e => e.Words).Should().BeEquivalentTo(new[] { TinyData.Examples[4].Words, TinyData.Examples[1].Words }, o => o.WithStrictOrdering());
        data.Labelled.Select(e => e.SentenceLabel).Should().Equal("Business", "Sport");
        data.Labelled[0].Tags.Should().Equal(TinyData.Examples[4].Tags!);
        data.Unlabelled.Should().BeEquivalentTo(new[] { 0, 2, 3, 5 }.Select(i => TinyData.Examples[i].Words), o => o.WithStrictOrdering());
        data.Description.Should().Be("2 labelled + 4 unlabelled sentences: the first 2 rows of train.tsv joined to train.conll; the other sentences of train.conll, words only");
        data.Validation.Should().HaveCount(TinyData.Examples.Count);
    }

    [Fact]
    public async Task LoadAsync_SeededSample_IsReproducibleAndExcludedFromTheUnlabelled()
    {
        TrainingFiles files = Files() with { LabelledCount = 3, LabelledSeed = 11, UnlabelledRest = true };

        TrainingFileSet first = await TrainingFileSet.LoadAsync(TaskKind.Multitask, files);
        TrainingFileSet again = await TrainingFileSet.LoadAsync(TaskKind.Multitask, files);

        first.Labelled.Should().HaveCount(3);
        again.Labelled.Select(e => e.Words).Should().BeEquivalentTo(first.Labelled.Select(e => e.Words), o => o.WithStrictOrdering());
        first.Unlabelled.Should().HaveCount(TinyData.Examples.Count - 3);
        first.Unlabelled.Select(w => string.Join(' ', w)).Should().NotIntersectWith(first.Labelled.Select(e => string.Join(' ', e.Words)));
        first.Description.Should().StartWith("3 labelled + 3 unlabelled sentences: 3 rows of train.tsv joined to train.conll drawn at random with seed 11;");
    }

    [Fact]
    public async Task LoadAsync_MoreRequestedThanRows_TakesAllAndSaysHowMany()
    {
        TrainingFileSet data = await TrainingFileSet.LoadAsync(TaskKind.Token, new TrainingFiles(Conll()) { LabelledCount = 1000, UnlabelledRest = true });

        data.Labelled.Should().HaveCount(TinyData.Examples.Count);
        data.Unlabelled.Should().BeEmpty();
        data.Description.Should().StartWith($"{TinyData.Examples.Count} labelled + 0 unlabelled sentences: the first {TinyData.Examples.Count} sentences of train.conll");
    }

    [Fact]
    public async Task LoadAsync_ContradictoryChoice_ThrowsNamingTheProperty()
    {
        Func<Task> seedWithoutCount = () => TrainingFileSet.LoadAsync(TaskKind.Token, new TrainingFiles(Conll()) { LabelledSeed = 1 });
        Func<Task> twoSources = () => TrainingFileSet.LoadAsync(TaskKind.Token, new TrainingFiles(Conll()) { UnlabelledRest = true, UnlabelledFile = Conll() });
        Func<Task> zero = () => TrainingFileSet.LoadAsync(TaskKind.Token, new TrainingFiles(Conll()) { LabelledCount = 0 });

        await seedWithoutCount.Should().ThrowAsync<ArgumentException>().WithMessage("*LabelledCount*");
        await twoSources.Should().ThrowAsync<ArgumentException>().WithMessage("*UnlabelledRest*UnlabelledFile*");
        (await zero.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be(nameof(TrainingFiles.LabelledCount));
    }

    [Fact]
    public async Task TrainAsync_LabelledSubsetAndRest_SelfTrainsAndRecordsExactlyWhatWasUsed()
    {
        using NerClassifier classifier = NewClassifier();

        await classifier.TrainAsync(
            Files() with { LabelledCount = 2, UnlabelledRest = true },
            new TrainerOptions { Epochs = 1, BatchSize = 2, EvaluateEveryEpoch = false, Seed = 5 });

        classifier.Config.TrainedOn.Should().MatchRegex(
            @"^2 labelled \+ 4 unlabelled sentences \([0-4] pseudo-labelled\): the first 2 rows of train\.tsv joined to train\.conll; the other sentences of train\.conll, words only$");
    }

    [Fact]
    public async Task TrainAsync_ClassifierThatPredictsOneClass_WarnsInTheHistory()
    {
        // Every training sentence is Sport, so the model learns to say Sport; half the validation sentences are World.
        TrainingExample[] train = TinyData.Examples.Select(e => new TrainingExample(e.Words, null, "Sport")).ToArray();
        TrainingExample[] validation = TinyData.Examples.Select((e, i) => new TrainingExample(e.Words, null, i % 2 == 0 ? "World" : "Sport")).ToArray();
        manual_seed(3);
        using NerClassifier classifier = NerClassifier.FromModel(new SequenceClassificationModel(TinyBert.Encoder(seed: 2), ["Sport", "World"]), TinyBert.Vocabulary());

        TrainingHistory history = await classifier.TrainAsync(train, validation, new TrainerOptions { Epochs = 3, BatchSize = 2, LearningRate = 1e-3, Seed = 5 });

        history.Warnings.Should().ContainSingle().Which.Should().Contain("'Sport' for 100.0 % of the 6 validation sentences").And.Contain("true share of 'Sport' is 50.0 %");
    }

    [Fact]
    public void OneClassCheck_SpreadPredictionsOrOneSidedTruth_DoesNotWarn()
    {
        string[] classes = ["Sport", "World"];
        ClassificationReport spread = ClassificationMetrics.Compute(["Sport", "World", "Sport", "World"], ["Sport", "Sport", "Sport", "World"], classes);
        ClassificationReport oneSided = ClassificationMetrics.Compute(Enumerable.Repeat("Sport", 20).ToArray(), Enumerable.Repeat("Sport", 20).ToArray(), classes);
        string[] truth = Enumerable.Range(0, 20).Select(i => i < 10 ? "World" : "Sport").ToArray();
        ClassificationReport collapsed = ClassificationMetrics.Compute(truth, truth.Select((_, i) => i == 0 ? "World" : "Sport").ToArray(), classes);

        OneClassCheck.Warning(spread).Should().BeNull();
        OneClassCheck.Warning(oneSided).Should().BeNull();
        OneClassCheck.Warning(collapsed).Should().Contain("'Sport' for 95.0 % of the 20 validation sentences");
    }

    private static NerClassifier NewClassifier()
    {
        manual_seed(3);
        var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics);
        return NerClassifier.FromModel(model, TinyBert.Vocabulary());
    }

    private string Conll()
    {
        string path = _folder.File("train.conll");
        File.WriteAllText(path, "-DOCSTART- -X- -X- O\n\n" + string.Join("\n\n", TinyData.Examples.Select(e => string.Join('\n', e.Words.Zip(e.Tags!, (w, t) => $"{w} X X {t}")))) + "\n");
        return path;
    }

    /// <summary>The CoNLL file and a label file whose rows, in random order as in the shared data, name sentences 4, 1, 0, 5, 2, 3.</summary>
    private TrainingFiles Files()
    {
        string conll = Conll();
        string labels = _folder.File("train.tsv");
        File.WriteAllText(labels, SentenceLabelFile.Header + "\n" + string.Concat(new[] { 4, 1, 0, 5, 2, 3 }.Select(i => $"{i}\t{TinyData.Examples[i].SentenceLabel}\t{string.Join(' ', TinyData.Examples[i].Words)}\n")));
        return new TrainingFiles(conll, labels, conll, labels);
    }
}
