using FluentAssertions;
using NerClassify.Training;

namespace NerClassify.Tests.Layers;

public sealed class TrainerStateTests
{
    [Fact]
    public void FromJson_WhatToJsonWrote_GivesTheSameState()
    {
        var state = new TrainerState { EpochsDone = 2, GlobalStep = 14, BestScore = 0.75, BestEpoch = 1, EpochsWithoutImprovement = 1, AveragedEpochs = 0, StoppedEarly = true };
        state.History.Add(new EpochResult(1, 0.5, 0.4, null, 1e-4, 2.0, 30, null, null, null));

        TrainerState read = TrainerState.FromJson(state.ToJson());

        read.Should().BeEquivalentTo(state);
    }

    [Fact]
    public void FromJson_OlderCheckpointWithTheHistoryAsAString_IsRead()
    {
        string history = new TrainingHistory([new EpochResult(1, 0.5, 0.4, null, 1e-4, 2.0, 30, null, null, null)], null, false).ToJson();
        string older = System.Text.Json.JsonSerializer.Serialize(new { EpochsDone = 1, GlobalStep = 7, BestScore = (double?)null, BestEpoch = (int?)null, EpochsWithoutImprovement = 0, History = history, AveragedEpochs = 0 });

        TrainerState read = TrainerState.FromJson(older);

        (read.EpochsDone, read.GlobalStep, read.BestScore, read.BestEpoch).Should().Be((1, 7, double.NegativeInfinity, (int?)null));
        read.History.Should().ContainSingle().Which.TrainLoss.Should().Be(0.5);
    }
}
