namespace NerClassify.Training;

/// <summary>The learning rate at each optimiser step: linear warm-up, then constant or linear decay to zero.</summary>
/// <param name="options">Peak rate and schedule.</param>
/// <param name="totalSteps">Optimiser steps of the whole run.</param>
/// <param name="warmupSteps">Steps of the warm-up.</param>
internal sealed class LearningRateScheduler(TrainerOptions options, int totalSteps, int warmupSteps)
{
    /// <summary>Optimiser steps of the whole run.</summary>
    public int TotalSteps => totalSteps;

    /// <summary>The learning rate for optimiser step <paramref name="step"/> (from 0).</summary>
    public double RateAt(int step)
    {
        if (step < warmupSteps)
        {
            return options.LearningRate * (step + 1) / warmupSteps;
        }

        if (options.Schedule == LearningRateSchedule.Constant)
        {
            return options.LearningRate;
        }

        double remaining = (double)(totalSteps - step) / Math.Max(1, totalSteps - warmupSteps);
        return options.LearningRate * Math.Clamp(remaining, 0, 1);
    }
}
