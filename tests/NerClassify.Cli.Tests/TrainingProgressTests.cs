using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Models;
using NerClassify.Training;

namespace NerClassify.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class TrainingProgressTests(TinyWorkspace workspace)
{
    [Fact]
    public async Task Train_WithValidation_PrintsEachEpochsValidationScores()
    {
        CliRun run = await CliRun.RunAsync([.. workspace.TrainArgumentsWithout(["--epochs"], "--task", "ner", "--train", workspace.TrainFile, "--validation", workspace.ValidationFile, "--output", workspace.NewPath("epochs")), "--epochs", "2"]);

        run.ExitCode.Should().Be(0, run.ToString());
        string[] lines = run.Error.Split('\n');
        lines.Should().Contain(l => l.StartsWith("Epoch 1/2: training loss", StringComparison.Ordinal) && l.Contains("Validation: entity F1", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("Epoch 2/2: training loss", StringComparison.Ordinal) && l.Contains("Validation: entity F1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Train_Quiet_PrintsNoEpochLines()
    {
        CliRun run = await CliRun.RunAsync([.. workspace.TrainArguments("--task", "ner", "--train", workspace.TrainFile, "--validation", workspace.ValidationFile, "--output", workspace.NewPath("quiet")), "--quiet"]);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Error.Should().NotContain("Epoch 1/1");
    }

    [Fact]
    public async Task ProgressView_LibraryTraining_NamesTheValidatingPhaseAndItsSentenceCount()
    {
        IReadOnlyList<TrainingExample> train = await TrainingData.LoadAsync(TaskKind.Token, workspace.TrainFile);
        IReadOnlyList<TrainingExample> validation = await TrainingData.LoadAsync(TaskKind.Token, workspace.ValidationFile);
        using PretrainedEncoder encoder = PretrainedEncoder.Load(workspace.EncoderDirectory);
        using NerClassifier classifier = NerClassifier.Create(encoder, ["O", "B-LOC", "I-LOC", "B-ORG", "B-PER", "I-PER"]);
        var bar = new RecordingBar();
        var view = new TrainingProgressView(bar, selfTraining: false);

        await classifier.TrainAsync(train, validation, new TrainerOptions { Epochs = 2, BatchSize = 4, Seed = 7, LearningRate = 1e-3 }, view);

        bar.Descriptions.Should().Contain("Epoch 1/2: validating 4 sentences").And.Contain("Epoch 2/2: validating 4 sentences");
        bar.Descriptions.Should().Contain(d => d.StartsWith("Epoch 1/2: training, loss ", StringComparison.Ordinal));
        bar.Lines.Should().HaveCount(2).And.OnlyContain(l => l.Contains("Validation: entity F1", StringComparison.Ordinal));
        view.StepLosses.Should().HaveCount(4, "two batches per epoch; the phase reports are not batch losses");
    }

    [Fact]
    public void ProgressView_Validating_FormatsTheSentenceCountWithThousands()
    {
        var view = new TrainingProgressView(new RecordingBar(), selfTraining: false);
        var progress = new TrainingProgress(1, 4, 100, 100, 0.5, null, null, 50, TimeSpan.Zero) { Phase = TrainingPhase.Validating, ValidationSentences = 3250 };

        view.Describe(progress).Should().Be("Epoch 1/4: validating 3,250 sentences");
    }

    private sealed class RecordingBar : IProgressBar
    {
        public List<string> Descriptions { get; } = [];

        public List<string> Lines { get; } = [];

        public void Update(double done, double total, string? description = null)
        {
            if (description is not null)
            {
                Descriptions.Add(description);
            }
        }

        public void WriteLine(string line) => Lines.Add(line);
    }
}
