using System.Globalization;
using NerClassify.Cli.Commands;
using NerClassify.Training;

namespace NerClassify.Cli;

/// <summary>
/// Shows a training run: the bar names the phase ("Epoch 2/4: training, loss 0.1234", "Epoch 2/4: validating 3,250
/// sentences"), a line is printed for every finished epoch with its validation scores, and the batch losses are kept
/// for the loss plot. Self-training's stages are named: the teacher, then each student.
/// </summary>
internal sealed class TrainingProgressView(IProgressBar bar, bool selfTraining) : IProgress<TrainingProgress>
{
    private int _stage;
    private int _lastEpoch;
    private bool _stageEnded;

    /// <summary>The last stage's batch losses, at fractional epochs.</summary>
    public List<(double Epoch, double Loss)> StepLosses { get; } = [];

    public void Report(TrainingProgress value)
    {
        if (value.Phase == TrainingPhase.Training && _lastEpoch > 0 && (_stageEnded || value.Epoch < _lastEpoch))
        {
            // Self-training starts its next stage's epochs from 1 again.
            _stage++;
            _stageEnded = false;
            StepLosses.Clear();
        }

        _lastEpoch = value.Epoch;
        double done = ((value.Epoch - 1) * (double)value.StepsPerEpoch) + value.Step;
        double total = value.Epochs * (double)value.StepsPerEpoch;
        switch (value.Phase)
        {
            case TrainingPhase.Training:
                StepLosses.Add((value.Epoch - 1 + ((double)value.Step / Math.Max(1, value.StepsPerEpoch)), value.Loss));
                bar.Update(done, total, Describe(value));
                break;
            case TrainingPhase.Validating:
                bar.Update(done, total, Describe(value));
                break;
            case TrainingPhase.EpochCompleted when value.CompletedEpoch is { } epoch:
                _stageEnded = value.Epoch == value.Epochs;
                bar.WriteLine(EpochLine(epoch, value.Epochs));
                break;
        }
    }

    /// <summary>The bar's description: the stage, the epoch and what it is doing.</summary>
    public string Describe(TrainingProgress value) => value.Phase == TrainingPhase.Validating
        ? string.Create(CultureInfo.InvariantCulture, $"{Stage}Epoch {value.Epoch}/{value.Epochs}: validating {value.ValidationSentences:N0} sentences")
        : string.Create(CultureInfo.InvariantCulture, $"{Stage}Epoch {value.Epoch}/{value.Epochs}: training, loss {value.Loss:F4}");

    private string EpochLine(EpochResult epoch, int epochs)
    {
        string line = string.Create(CultureInfo.InvariantCulture, $"{Stage}Epoch {epoch.Epoch}/{epochs}: training loss {epoch.TrainLoss:F4} ({epoch.TrainSeconds:F0} s)");
        return epoch.Validation is { } scores ? $"{line}. {TrainCommand.Summary(scores)}" : line;
    }

    private string Stage => !selfTraining ? string.Empty : _stage == 0 ? "Teacher: " : $"Student {_stage}: ";
}
