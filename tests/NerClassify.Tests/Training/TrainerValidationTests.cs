using FluentAssertions;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using NerClassify.Training;

namespace NerClassify.Tests.Training;

/// <summary>Bad options and bad examples are refused before the first step, naming what is wrong (issue 17, item 12).</summary>
[Collection(TorchCollection.Name)]
public sealed class TrainerValidationTests
{
    private static readonly TrainerOptions OneEpoch = new() { Epochs = 1, BatchSize = 6, Compute = new ComputeOptions { Device = DeviceKind.Cpu } };

    public static TheoryData<string, TrainerOptions> NonFiniteOptions => new()
    {
        { nameof(TrainerOptions.LearningRate), new TrainerOptions { LearningRate = double.PositiveInfinity } },
        { nameof(TrainerOptions.LearningRate), new TrainerOptions { LearningRate = double.NaN } },
        { nameof(TrainerOptions.WeightDecay), new TrainerOptions { WeightDecay = double.PositiveInfinity } },
        { nameof(TrainerOptions.WeightDecay), new TrainerOptions { WeightDecay = double.NaN } },
        { nameof(TrainerOptions.WarmupRatio), new TrainerOptions { WarmupRatio = double.NaN } },
        { nameof(TrainerOptions.MaxGradientNorm), new TrainerOptions { MaxGradientNorm = double.NaN } },
        { nameof(TrainerOptions.MaxGradientNorm), new TrainerOptions { MaxGradientNorm = double.PositiveInfinity } },
    };

    [Theory]
    [MemberData(nameof(NonFiniteOptions))]
    public void Validate_NonFiniteDouble_ThrowsNamingTheProperty(string property, TrainerOptions options)
    {
        Action act = () => options.Validate();

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(property);
    }

    [Fact]
    public void TrainAsync_NullTrainingExample_ThrowsNamingItsIndexBeforeTraining()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels);
        TrainingExample[] train = [TinyData.Examples[0], null!, TinyData.Examples[1]];

        Action act = () => _ = new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), train), OneEpoch);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "data.Train" && e.Message.Contains("Training example 1"));
    }

    [Fact]
    public void TrainAsync_NullWord_ThrowsNamingTheExampleBeforeTraining()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels);
        TrainingExample[] train = [TinyData.Examples[0], new(["John", null!], ["B-PER", "O"])];

        Action act = () => _ = new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), train), OneEpoch);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "data.Train" && e.Message.Contains("Training example 1"));
    }

    [Fact]
    public void TrainAsync_TagCountMismatch_ThrowsNamingTheExampleBeforeTraining()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels);
        TrainingExample[] train = [.. TinyData.Examples, new(["John", "Smith", "said"], ["B-PER", "I-PER"])];

        Action act = () => _ = new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), train), OneEpoch);

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "data.Train" && e.Message.Contains($"Training example {TinyData.Examples.Count}") && e.Message.Contains("3 words") && e.Message.Contains("2 tags"));
    }

    [Fact]
    public void TrainAsync_ValidationTagCountMismatch_ThrowsNamingTheExampleBeforeTraining()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels);
        TrainingExample[] validation = [TinyData.Examples[0], new(["John", "Smith", "said"], ["B-PER", "I-PER"])];

        Action act = () => _ = new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples, validation), OneEpoch);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "data.Validation" && e.Message.Contains("Validation example 1"));
    }

    [Fact]
    public void TrainAsync_ValidationSentenceLabelTheModelLacks_ThrowsNamingTheExampleBeforeTraining()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(), TinyData.TokenLabels, TinyData.Topics);
        TrainingExample[] validation = [TinyData.Examples[0], TinyData.Examples[1] with { SentenceLabel = "Weather" }];
        var steps = 0;

        Action act = () => _ = new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples, validation), OneEpoch, new Counter(() => steps++));

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "data.Validation" && e.Message.Contains("Validation example 1") && e.Message.Contains("'Weather'"));
        steps.Should().Be(0);
    }

    [Fact]
    public void TrainAsync_ValidationTagThatIsMalformed_ThrowsNamingTheExampleBeforeTraining()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels);
        TrainingExample[] validation = [new(["John", "Smith"], ["B-PER", "PERSON"])];

        Action act = () => _ = new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples, validation), OneEpoch);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "data.Validation" && e.Message.Contains("Validation example 0"));
    }

    [Fact]
    public void TrainAsync_TrainingTagTheModelLacks_ThrowsBeforeTraining()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels);
        TrainingExample[] train = [TinyData.Examples[0], new(["Rome"], ["B-GPE"])];

        Action act = () => _ = new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), train), OneEpoch);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "data.Train" && e.Message.Contains("Training example 1") && e.Message.Contains("'B-GPE'"));
    }

    [Fact]
    public void Evaluate_TagCountMismatch_ThrowsNamingTheExample()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels);
        TrainingExample[] examples = [TinyData.Examples[0], TinyData.Examples[1], new(["John", "Smith", "said"], ["B-PER", "I-PER"])];

        Action act = () => Trainer.Evaluate(model, TinyBert.Vocabulary(), examples, OneEpoch);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "examples" && e.Message.Contains("Example 2"));
    }

    [Fact]
    public async Task TrainAsync_MaxLengthAboveThePositionsWithALongSentence_IsRefusedBeforeTheFirstStep()
    {
        // Issue 31, item 12: the tiny encoder has 64 positions; an 80-word sentence needs a window of 82 at MaxLength 100.
        using var model = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels);
        TrainingExample[] train = [TinyData.Examples[0], new(Enumerable.Repeat("the", 80).ToArray(), Enumerable.Repeat("O", 80).ToArray())];
        int steps = 0;

        Func<Task> act = () => new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), train), OneEpoch with { MaxLength = 100 }, progress: new Counter(() => steps++));

        (await act.Should().ThrowAsync<ArgumentOutOfRangeException>())
            .Where(e => e.ParamName == nameof(TrainerOptions.MaxLength))
            .WithMessage("TrainerOptions.MaxLength is 100, but the encoder has only 64 positions*training example 1 needs a window of 82 subwords*");
        steps.Should().Be(0);
    }

    [Fact]
    public void TrainAsync_AllExamplesWithoutWords_IsRefused()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels);
        TrainingExample[] train = [new([], []), new([], [])];

        Action act = () => _ = new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), train), OneEpoch);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "data.Train").WithMessage("All 2 training examples have zero words*");
    }

    [Fact]
    public async Task TrainAsync_ResumedWithAnotherBatchSize_IsRefusedNamingBoth()
    {
        using var folder = new TempDirectory();
        using var model = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels);
        await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), OneEpoch with { Epochs = 1, CheckpointDirectory = folder.Path });
        var resume = OneEpoch with { Epochs = 2, BatchSize = 2, ResumeFrom = System.IO.Path.Combine(folder.Path, "latest") };

        // Awaited, so that a run that is not refused finishes before the model is disposed.
        Func<Task> act = () => new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), resume);

        (await act.Should().ThrowAsync<ArgumentException>()).Where(e => e.ParamName == nameof(TrainerOptions.ResumeFrom))
            .WithMessage("*written with BatchSize = 6, but this run has BatchSize = 2*");
    }

    private sealed class Counter(Action onReport) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onReport();
    }
}
