using FluentAssertions;
using NerClassify.Checkpoints;
using NerClassify.Data;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using NerClassify.Training;
using Xunit;
using static TorchSharp.torch;

namespace NerClassify.Tests.Training;

/// <summary>The accuracy levers of issue 18: self-training, weight averaging and per-group learning rates.</summary>
public sealed class AccuracyLeverTests
{
    private static readonly TrainerOptions Quick = new() { Epochs = 2, BatchSize = 2, LearningRate = 1e-3, EvaluateEveryEpoch = false, Seed = 5 };

    [Fact]
    public async Task LoadWordsAsync_FilesWithGoldGarbageOrNoTags_GiveTheSameSentences()
    {
        using var folder = new TempDirectory();
        string gold = WriteConll(folder.File("gold.conll"), e => e.Tags!);
        string garbage = WriteConll(folder.File("garbage.conll"), e => e.Words.Select(_ => "NOT-A-TAG!").ToArray());
        string bare = folder.File("bare.txt");
        File.WriteAllText(bare, "-DOCSTART-\n\n" + string.Join("\n\n", TinyData.Examples.Select(e => string.Join('\n', e.Words))) + "\n");

        IReadOnlyList<IReadOnlyList<string>> fromGold = await TrainingData.LoadWordsAsync(gold);
        IReadOnlyList<IReadOnlyList<string>> fromGarbage = await TrainingData.LoadWordsAsync(garbage);
        IReadOnlyList<IReadOnlyList<string>> fromBare = await TrainingData.LoadWordsAsync(bare);

        fromGold.Should().BeEquivalentTo(TinyData.Examples.Select(e => e.Words), o => o.WithStrictOrdering());
        fromGarbage.Should().BeEquivalentTo(fromGold, o => o.WithStrictOrdering());
        fromBare.Should().BeEquivalentTo(fromGold, o => o.WithStrictOrdering());
        // The tag-reading path rejects the garbage file, so the words-only path above cannot have parsed its tags.
        Func<Task> parseTags = () => new ConllReader().LoadAsync(garbage);
        await parseTags.Should().ThrowAsync<FormatException>();
    }

    [Fact]
    public async Task SelfTrainAsync_UnlabelledFilesWithDifferentTags_TrainTheSameStudent()
    {
        using var folder = new TempDirectory();
        IReadOnlyList<IReadOnlyList<string>> withGold = await TrainingData.LoadWordsAsync(WriteConll(folder.File("gold.conll"), e => e.Tags!));
        IReadOnlyList<IReadOnlyList<string>> withWrongTags = await TrainingData.LoadWordsAsync(
            WriteConll(folder.File("wrong.conll"), e => e.Words.Select((_, i) => i % 2 == 0 ? "B-PER" : "I-ORG").ToArray()));
        TrainingExample[] labelled = TinyData.Examples.Take(3).ToArray();
        var keepAll = new SelfTrainingOptions { MinTagConfidence = 0, MinSentenceConfidence = 0 };

        using NerClassifier first = NewClassifier();
        using NerClassifier second = NewClassifier();
        await first.SelfTrainAsync(labelled, withGold, keepAll, options: Quick);
        await second.SelfTrainAsync(labelled, withWrongTags, keepAll, options: Quick);

        first.Config.TrainedOn.Should().Be("3 labelled + 6 unlabelled sentences (6 pseudo-labelled)");
        using (no_grad())
        {
            foreach ((string name, Tensor weights) in first.Model.state_dict())
            {
                weights.eq(second.Model.state_dict()[name]).all().item<bool>().Should().BeTrue($"{name} must not depend on the unlabelled sentences' tags");
            }
        }
    }

    [Fact]
    public async Task SelfTrainAsync_StudentTrainsOnPseudoLabels_EndsWithOtherWeightsThanTheTeacher()
    {
        TrainingExample[] labelled = TinyData.Examples.Take(3).ToArray();
        IReadOnlyList<string>[] unlabelled = TinyData.Examples.Skip(3).Select(e => e.Words).ToArray();
        using NerClassifier teacherOnly = NewClassifier();
        using NerClassifier selfTrained = NewClassifier();

        await teacherOnly.TrainAsync(labelled, options: Quick);
        await selfTrained.SelfTrainAsync(labelled, unlabelled, new SelfTrainingOptions { MinTagConfidence = 0, MinSentenceConfidence = 0, Rounds = 2 }, options: Quick);

        selfTrained.Config.TrainedOn.Should().Be("3 labelled + 3 unlabelled sentences (3 pseudo-labelled)");
        using (no_grad())
        {
            Tensor teacherHead = teacherOnly.Model.state_dict()["token_classifier.weight"];
            teacherHead.allclose(selfTrained.Model.state_dict()["token_classifier.weight"]).Should().BeFalse();
        }

        selfTrained.Predict("Mary visited Berlin .").Tags.Should().HaveCount(4);
    }

    [Fact]
    public async Task SelfTrainAsync_WithResumeFrom_ThrowsNamingTheOptions()
    {
        using NerClassifier classifier = NewClassifier();

        Func<Task> act = () => classifier.SelfTrainAsync(TinyData.Examples, [["Paris"]], options: Quick with { ResumeFrom = "somewhere" });

        (await act.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("options");
    }

    [Fact]
    public void PseudoLabelSelect_KeepsOnlyTheConfidentPartsOfEachSentence()
    {
        IReadOnlyList<string>[] sentences = [["a", "b"], ["c"], ["d"], []];
        SentencePrediction[] predictions =
        [
            new([1, 0], [0.95f, 0.99f], [0.5f, 0.3f, 0.2f]), // sure of the tags, not of the class
            new([2], [0.5f], [0.05f, 0.95f, 0f]), // sure of the class, not of the tags
            new([0], [0.6f], [0.4f, 0.3f, 0.3f]), // sure of neither
            new([], [], [0.99f, 0f, 0.01f]), // no words
        ];

        IReadOnlyList<TrainingExample> kept = PseudoLabels.Select(sentences, predictions, TinyData.TokenLabels, TinyData.Topics, new SelfTrainingOptions(), seed: 1);

        kept.Should().HaveCount(2);
        kept[0].Should().Match<TrainingExample>(e => e.Words == sentences[0] && e.SentenceLabel == null);
        kept[0].Tags.Should().Equal("B-LOC", "O");
        kept[1].Should().Match<TrainingExample>(e => e.Words == sentences[1] && e.Tags == null && e.SentenceLabel == "Sport");
    }

    [Fact]
    public void PseudoLabelSelect_MoreThanTheCapPass_KeepsASeededSampleInInputOrder()
    {
        IReadOnlyList<string>[] sentences = Enumerable.Range(0, 50).Select(i => (IReadOnlyList<string>)[$"w{i}"]).ToArray();
        SentencePrediction[] predictions = sentences.Select((_, i) => new SentencePrediction([0], [0.9f + (i / 1000f)], null)).ToArray();
        var options = new SelfTrainingOptions { MaxSentences = 10 };

        IReadOnlyList<TrainingExample> first = PseudoLabels.Select(sentences, predictions, TinyData.TokenLabels, null, options, seed: 3);
        IReadOnlyList<TrainingExample> again = PseudoLabels.Select(sentences, predictions, TinyData.TokenLabels, null, options, seed: 3);
        IReadOnlyList<TrainingExample> other = PseudoLabels.Select(sentences, predictions, TinyData.TokenLabels, null, options, seed: 4);

        first.Should().HaveCount(10);
        first.Select(e => e.Words[0]).Should().Equal(again.Select(e => e.Words[0]));
        first.Select(e => int.Parse(e.Words[0][1..])).Should().BeInAscendingOrder();
        first.Select(e => e.Words[0]).Should().NotEqual(other.Select(e => e.Words[0]));
        // Not simply the most confident ten (the last ten).
        first.Select(e => e.Words[0]).Should().NotEqual(sentences.Skip(40).Select(s => s[0]));
    }

    [Fact]
    public async Task AverageLastEpochs_KeepsTheMeanOfTheEpochsWeights_ResumesToIt_AndLoadsAsOneModel()
    {
        using var folder = new TempDirectory();
        TrainerOptions averaging = Quick with { AverageLastEpochs = 2 };

        // Epoch 1's weights: the checkpoint of a run cancelled as epoch 1 ends.
        using NerClassifier stopped = NewClassifier();
        using var cancel = new CancellationTokenSource();
        var stopAfterFirstEpoch = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Epoch == 1 && p.Step == p.StepsPerEpoch)
            {
                cancel.Cancel();
            }
        });
        Func<Task> cancelled = () => stopped.TrainAsync(TinyData.Examples, options: averaging with { CheckpointDirectory = folder.File("stopped") }, progress: stopAfterFirstEpoch, cancellationToken: cancel.Token);
        await cancelled.Should().ThrowAsync<OperationCanceledException>();
        Dictionary<string, Tensor> epoch1 = CheckpointFiles.Read(Path.Combine(folder.File("stopped"), "latest", "model.safetensors"));

        using NerClassifier full = NewClassifier();
        await full.TrainAsync(TinyData.Examples, options: averaging with { CheckpointDirectory = folder.File("full") });
        Dictionary<string, Tensor> epoch2 = CheckpointFiles.Read(Path.Combine(folder.File("full"), "latest", "model.safetensors"));

        using NerClassifier resumed = NewClassifier();
        await resumed.TrainAsync(TinyData.Examples, options: averaging with { ResumeFrom = Path.Combine(folder.File("stopped"), "latest") });

        bool anyDifference = false;
        using (no_grad())
        {
            foreach ((string name, Tensor weights) in full.Model.state_dict())
            {
                using Tensor mean = epoch1[name].add(epoch2[name]).div_(2);
                weights.allclose(mean, rtol: 1e-5, atol: 1e-6).Should().BeTrue($"{name} is the mean of the two epochs");
                resumed.Model.state_dict()[name].allclose(weights, rtol: 1e-5, atol: 1e-6).Should().BeTrue($"a resumed run averages {name} the same way");
                anyDifference |= !weights.allclose(epoch2[name]);
            }
        }

        anyDifference.Should().BeTrue("the average differs from the last epoch's weights");
        full.Save(folder.File("averaged"));
        using NerClassifier loaded = NerClassifier.Load(folder.File("averaged"));
        string text = "John Smith visited Berlin .";
        loaded.Predict(text).Should().BeEquivalentTo(full.Predict(text));
    }

    [Theory]
    [InlineData("bert.encoder.layer.1.attention.self.query.weight", 1.0)]
    [InlineData("bert.encoder.layer.0.output.dense.bias", 0.5)]
    [InlineData("bert.embeddings.word_embeddings.weight", 0.25)]
    [InlineData("bert.pooler.dense.weight", 1.0)]
    [InlineData("token_classifier.weight", 10.0)]
    [InlineData("casing_embeddings.weight", 10.0)]
    [InlineData("character_encoder.projection.weight", 10.0)]
    public void LearningRateScale_LayerDecayAndHeadMultiplier_ScaleEachGroup(string name, double expected)
    {
        var options = new TrainerOptions { LayerLearningRateDecay = 0.5, HeadLearningRateMultiplier = 10 };

        OptimizerGroups.LearningRateScale(options, name, layerCount: 2).Should().Be(expected);
    }

    [Fact]
    public async Task TrainAsync_WithScaledGroups_ReportsTheBaseLearningRateAndChangesTheResult()
    {
        using NerClassifier plain = NewClassifier();
        using NerClassifier scaled = NewClassifier();

        TrainingHistory plainHistory = await plain.TrainAsync(TinyData.Examples, options: Quick with { Schedule = LearningRateSchedule.Constant });
        TrainingHistory scaledHistory = await scaled.TrainAsync(TinyData.Examples, options: Quick with { Schedule = LearningRateSchedule.Constant, LayerLearningRateDecay = 0.5, HeadLearningRateMultiplier = 5 });

        scaledHistory.Epochs[^1].LearningRate.Should().BeApproximately(Quick.LearningRate, 1e-12);
        plainHistory.Epochs[^1].LearningRate.Should().BeApproximately(Quick.LearningRate, 1e-12);
        using (no_grad())
        {
            plain.Model.state_dict()["token_classifier.weight"].allclose(scaled.Model.state_dict()["token_classifier.weight"]).Should().BeFalse();
        }
    }

    [Fact]
    public void Validate_AveragingWithKeepBestOrMoreEpochsThanTrained_ThrowsNamingTheProperty()
    {
        Action withBest = () => new TrainerOptions { Epochs = 4, AverageLastEpochs = 2, KeepBest = true }.Validate();
        Action tooMany = () => new TrainerOptions { Epochs = 2, AverageLastEpochs = 3 }.Validate();
        Action badDecay = () => new TrainerOptions { LayerLearningRateDecay = 1.5 }.Validate();
        Action badConfidence = () => new SelfTrainingOptions { MinTagConfidence = 1.1 }.Validate();

        withBest.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(TrainerOptions.AverageLastEpochs));
        tooMany.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(TrainerOptions.AverageLastEpochs));
        badDecay.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(TrainerOptions.LayerLearningRateDecay));
        badConfidence.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(SelfTrainingOptions.MinTagConfidence));
    }

    private static NerClassifier NewClassifier()
    {
        manual_seed(3);
        var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics);
        return NerClassifier.FromModel(model, TinyBert.Vocabulary());
    }

    private static string WriteConll(string path, Func<TrainingExample, IReadOnlyList<string>> tags)
    {
        IEnumerable<string> blocks = TinyData.Examples.Select(e => string.Join('\n', e.Words.Zip(tags(e), (w, t) => $"{w} X X {t}")));
        File.WriteAllText(path, "-DOCSTART- -X- -X- O\n\n" + string.Join("\n\n", blocks) + "\n");
        return path;
    }
}
