using FluentAssertions;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using NerClassify.Training;

namespace NerClassify.Tests.Layers;

/// <summary>Training through <see cref="NerClassifier"/> works on a copy: predictions never wait for it nor fail.</summary>
[Collection(TorchCollection.Name)]
public sealed class TrainingThroughClassifierTests
{
    private const string Text = "John visited Paris today.";

    [Fact]
    public async Task Predict_WhileTrainingRuns_AnswersFromTheCurrentModelThenFromTheTrainedOne()
    {
        using NerClassifier classifier = NerClassifier.FromModel(new MultitaskModel(TinyBert.Encoder(seed: 4), TinyData.TokenLabels, TinyData.Topics), TinyBert.Vocabulary());
        Prediction before = classifier.Predict(Text);
        using var gate = new GateProgress();
        var options = new TrainerOptions { Epochs = 3, BatchSize = 2, LearningRate = 5e-3, EvaluateEveryEpoch = false, Seed = 1 };

        Task<TrainingHistory> training = classifier.TrainAsync(TinyData.Examples, options: options, progress: gate);
        await gate.Reached.WaitAsync(TimeSpan.FromMinutes(2));
        Prediction during = classifier.Predict(Text);
        gate.Release();
        await training;
        Prediction after = classifier.Predict(Text);

        during.Sentence!.Probabilities.Should().Equal(before.Sentence!.Probabilities, "training changes a copy, not the model predictions run on");
        after.Sentence!.Probabilities.Should().NotEqual(before.Sentence.Probabilities, "the trained copy replaces the model when training ends");
    }

    [Fact]
    public async Task TrainAsync_Cancelled_LeavesTheModelAsItWas()
    {
        using NerClassifier classifier = NerClassifier.FromModel(new TokenClassificationModel(TinyBert.Encoder(seed: 5), TinyData.TokenLabels), TinyBert.Vocabulary());
        Prediction before = classifier.Predict(Text);
        using var cancellation = new CancellationTokenSource();
        var progress = new CancelAfterFirstStep(cancellation);

        Func<Task> act = () => classifier.TrainAsync(TinyData.Examples, options: new TrainerOptions { Epochs = 5, BatchSize = 2, LearningRate = 5e-3 }, progress: progress, cancellationToken: cancellation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        classifier.Predict(Text).Should().BeEquivalentTo(before);
    }

    [Fact]
    public async Task TrainAsync_ValidationScores_AreTheScoresEvaluateGivesWithThePredictionWindow()
    {
        using NerClassifier classifier = NerClassifier.FromModel(new MultitaskModel(TinyBert.Encoder(seed: 6), TinyData.TokenLabels, TinyData.Topics), TinyBert.Vocabulary());
        var options = new TrainerOptions { Epochs = 2, BatchSize = 3, LearningRate = 3e-3, Seed = 2, MaxLength = 8, Stride = 2 };

        TrainingHistory history = await classifier.TrainAsync(TinyData.Examples, TinyData.Examples, options);
        EvaluationResult evaluated = classifier.Evaluate(TinyData.Examples);

        EvaluationResult validated = history.Epochs[^1].Validation!;
        validated.Entities!.F1.Should().Be(evaluated.Entities!.F1);
        validated.Entities.TokenAccuracy.Should().Be(evaluated.Entities.TokenAccuracy);
        validated.Sentences!.Accuracy.Should().Be(evaluated.Sentences!.Accuracy);
    }

    private sealed class GateProgress : IProgress<TrainingProgress>, IDisposable
    {
        private readonly ManualResetEventSlim _release = new();
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public void Report(TrainingProgress value)
        {
            // Called on the training thread: training waits here until the test has predicted.
            _reached.TrySetResult();
            _release.Wait(TimeSpan.FromMinutes(2));
        }

        public void Release() => _release.Set();

        public void Dispose() => _release.Dispose();
    }

    private sealed class CancelAfterFirstStep(CancellationTokenSource source) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => source.Cancel();
    }
}
