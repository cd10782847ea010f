using FluentAssertions;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using NerClassify.Training;
using static TorchSharp.torch;

namespace NerClassify.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class TrainerTests : IDisposable
{
    // One learning rate for every parameter, no warm-up, every weight trained: the settings these tests were written for
    // (the report's, the defaults before issue 27), so each test exercises only the behaviour it names.
    private static readonly TrainerOptions Fast = new()
    {
        LearningRate = 3e-3,
        Epochs = 40,
        BatchSize = 6,
        Seed = 3,
        MaxGradientNorm = 1.0,
        WarmupRatio = 0,
        FreezeWordEmbeddings = false,
        HeadLearningRateMultiplier = 1,
        LayerLearningRateDecay = 1,
        Compute = new ComputeOptions { Device = DeviceKind.Cpu },
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("nerclassify-trainer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task TrainAsync_MultitaskOnAHandfulOfSentences_OverfitsBothTasks()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics, new MultitaskLossOptions { TokenWeight = 1 });

        TrainingHistory history = await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples, TinyData.Examples), Fast with { Epochs = 100, Schedule = LearningRateSchedule.Constant });

        EvaluationResult last = history.Epochs[^1].Validation!;
        last.Entities!.TokenAccuracy.Should().Be(1.0);
        last.Entities.F1.Should().Be(1.0);
        last.Sentences!.Accuracy.Should().Be(1.0);
        history.Epochs[^1].TrainLoss.Should().BeLessThan(history.Epochs[0].TrainLoss);
    }

    [Fact]
    public void ComputeLoss_Multitask_GivesGradientsToEncoderAndBothHeads()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 4), TinyData.TokenLabels, TinyData.Topics);
        Dictionary<string, bool> hasGradient = BackwardOnce(model);

        hasGradient.Where(p => p.Key.StartsWith("bert.encoder.layer.1")).Should().OnlyContain(p => p.Value);
        hasGradient["bert.embeddings.word_embeddings.weight"].Should().BeTrue();
        hasGradient["bert.pooler.dense.weight"].Should().BeTrue();
        hasGradient["token_classifier.weight"].Should().BeTrue();
        hasGradient["sequence_classifier.weight"].Should().BeTrue();
    }

    [Theory]
    [InlineData(0.0, 1.0, "token_classifier.weight", "sequence_classifier.weight")]
    [InlineData(1.0, 0.0, "sequence_classifier.weight", "token_classifier.weight")]
    public void ComputeLoss_OneWeightZero_KeepsOnlyTheOtherHeadsPath(double alpha, double beta, string trained, string silent)
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 4), TinyData.TokenLabels, TinyData.Topics, new MultitaskLossOptions { SequenceWeight = alpha, TokenWeight = beta });

        Dictionary<string, bool> hasGradient = BackwardOnce(model);

        hasGradient[trained].Should().BeTrue();
        hasGradient[silent].Should().BeFalse();
        hasGradient["bert.encoder.layer.0.attention.self.query.weight"].Should().BeTrue();
    }

    [Fact]
    public void ComputeLoss_TokenWeightOnly_EqualsTheTokenModelsLoss()
    {
        using var multitask = new MultitaskModel(TinyBert.Encoder(seed: 9), TinyData.TokenLabels, TinyData.Topics, new MultitaskLossOptions { SequenceWeight = 0, TokenWeight = 1 });
        using var single = new TokenClassificationModel(TinyBert.Encoder(seed: 9), TinyData.TokenLabels);
        using (no_grad())
        {
            single.Head.parameters().Zip(multitask.TokenHead.parameters()).ToList().ForEach(p => p.First.copy_(p.Second));
        }

        multitask.eval();
        single.eval();
        using var scope = NewDisposeScope();
        (var inputs, Tensor tokens, Tensor sentences) = Inputs();

        float multitaskLoss = multitask.ComputeLoss(multitask.Forward(inputs), tokens, sentences).Total.item<float>();
        float singleLoss = single.ComputeLoss(single.Forward(inputs), tokens, null).Total.item<float>();

        multitaskLoss.Should().BeApproximately(singleLoss, 1e-6f);
    }

    [Fact]
    public void ComputeLoss_RowsWithoutSentenceLabels_AreMasked()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 4), TinyData.TokenLabels, TinyData.Topics);
        model.eval();
        using var scope = NewDisposeScope();
        (var inputs, Tensor tokens, _) = Inputs();
        TaskOutputs outputs = model.Forward(inputs);

        TaskLoss noSentenceLabels = model.ComputeLoss(outputs, tokens, full(2, TaskModel.IgnoreIndex, ScalarType.Int64));

        noSentenceLabels.Sequence.Should().BeNull();
        float.IsFinite(noSentenceLabels.Total.item<float>()).Should().BeTrue();
    }

    [Fact]
    public async Task TrainAsync_ResumedAfterTwoEpochs_EndsWithTheSameWeightsAsFourEpochs()
    {
        var options = Fast with { Epochs = 4, LearningRate = 1e-3, WarmupRatio = 0.2 };
        float[] uninterrupted = await TrainWeights(options, seed: 5);

        string checkpoints = Path.Combine(_folder, "run");
        float[] firstHalfCheck;
        using (var model = NewTokenModel(5))
        {
            await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), options with { Epochs = 2, CheckpointDirectory = checkpoints });
            firstHalfCheck = Flatten(model);
        }

        // The resumed run is told the full length, so its schedule matches the 4-epoch run.
        using var resumed = NewTokenModel(seed: 99);
        TrainingHistory history = await new Trainer().TrainAsync(resumed, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), options with { ResumeFrom = Path.Combine(checkpoints, "latest") });

        history.Epochs.Select(e => e.Epoch).Should().Equal(1, 2, 3, 4);
        firstHalfCheck.Should().NotEqual(uninterrupted);
        Flatten(resumed).Should().Equal(uninterrupted);
    }

    [Fact]
    public async Task TrainAsync_CancelledMidEpoch_ThrowsPromptlyAndLastCheckpointLoads()
    {
        string checkpoints = Path.Combine(_folder, "cancel");
        using var model = NewTokenModel(6);
        using var cancellation = new CancellationTokenSource();
        int reports = 0;
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Epoch == 2 && ++reports == 1)
            {
                cancellation.Cancel();
            }
        });
        var options = Fast with { Epochs = 3, BatchSize = 2, CheckpointDirectory = checkpoints };

        Func<Task> act = () => new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), options, progress, cancellation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        using var resumed = NewTokenModel(7);
        TrainingHistory history = await new Trainer().TrainAsync(resumed, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), options with { ResumeFrom = Path.Combine(checkpoints, "latest") });
        history.Epochs.Select(e => e.Epoch).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task TrainAsync_UncertaintyWeighting_LearnsTheLossWeights()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics, new MultitaskLossOptions { Weighting = LossWeighting.Uncertainty });

        TrainingHistory history = await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), Fast with { Epochs = 10 });

        (double alpha, double beta) = model.CurrentWeights();
        (alpha, beta).Should().NotBe((0.5, 0.5));
        history.Epochs[^1].TokenWeight.Should().Be(beta);
    }

    [Fact]
    public async Task TrainAsync_History_RoundTripsThroughJson()
    {
        using var model = NewTokenModel(8);
        TrainingHistory history = await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples, TinyData.Examples), Fast with { Epochs = 2 });

        TrainingHistory copy = TrainingHistory.FromJson(history.ToJson());

        copy.Epochs.Should().HaveCount(2);
        copy.Epochs[1].Validation!.Entities!.F1.Should().Be(history.Epochs[1].Validation!.Entities!.F1);
        copy.BestEpoch.Should().Be(history.BestEpoch);
    }

    [Fact]
    public async Task TrainAsync_FreezeWordEmbeddings_LeavesThemUnchangedAndTrainsTheRest()
    {
        using var model = NewTokenModel(12);
        float[] embeddings = model.state_dict()["bert.embeddings.word_embeddings.weight"].data<float>().ToArray();
        float[] query = model.state_dict()["bert.encoder.layer.0.attention.self.query.weight"].data<float>().ToArray();

        await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), Fast with { Epochs = 2, FreezeWordEmbeddings = true });

        model.state_dict()["bert.embeddings.word_embeddings.weight"].data<float>().ToArray().Should().Equal(embeddings);
        model.state_dict()["bert.encoder.layer.0.attention.self.query.weight"].data<float>().ToArray().Should().NotEqual(query);
        model.parameters().Should().OnlyContain(p => p.requires_grad);
    }

    [Fact]
    public async Task TrainAsync_ManyEpochs_KeepsTheNumberOfLiveTensorsFlat()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(seed: 13), TinyData.TokenLabels, TinyData.Topics);
        var liveAtEpochEnd = new List<long>();

        // The progress callback runs on the training thread, whose dispose-scope statistics it reads.
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Phase == TrainingPhase.Training && p.Step == p.StepsPerEpoch)
            {
                liveAtEpochEnd.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            }
        });
        await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples, TinyData.Examples), Fast with { Epochs = 6, BatchSize = 2 }, progress);

        liveAtEpochEnd.Should().HaveCount(6);
        liveAtEpochEnd.Skip(2).Should().OnlyContain(count => count == liveAtEpochEnd[1]);
    }

    [Fact]
    public void TrainAsync_InvalidOption_ThrowsNamingThePropertyBeforeTraining()
    {
        using TokenClassificationModel model = NewTokenModel(1);
        Action act = () => _ = new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), new TrainerOptions { BatchSize = 0 });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("BatchSize");
    }

    private static TokenClassificationModel NewTokenModel(int seed) => new(TinyBert.Encoder(seed), TinyData.TokenLabels);

    private static async Task<float[]> TrainWeights(TrainerOptions options, int seed)
    {
        using var model = NewTokenModel(seed);
        await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), options);
        return Flatten(model);
    }

    private static float[] Flatten(TaskModel model) =>
        model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    private static Dictionary<string, bool> BackwardOnce(TaskModel model)
    {
        using var scope = NewDisposeScope();
        (var inputs, Tensor tokens, Tensor sentences) = Inputs();
        model.ComputeLoss(model.Forward(inputs), tokens, sentences).Total.backward();
        return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad is { } g && g.abs().sum().item<float>() > 0);
    }

    private static (ModelInputs Inputs, Tensor Tokens, Tensor Sentences) Inputs()
    {
        Tensor ids = tensor(new long[] { 2, 20, 21, 30, 3, 2, 22, 40, 3, 0 }).reshape(2, 5);
        Tensor mask = ids.ne(0).to_type(ScalarType.Int64);
        Tensor tokens = tensor(new long[] { -100, 5, 6, 0, -100, -100, 1, 0, -100, -100 }).reshape(2, 5);
        return (new ModelInputs(ids, mask, zeros_like(ids), null), tokens, tensor(new long[] { 0, 1 }));
    }
}
