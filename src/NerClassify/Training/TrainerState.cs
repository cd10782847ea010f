using System.Text.Json;
using System.Text.Json.Nodes;

namespace NerClassify.Training;

/// <summary>
/// Where a training run stands (as Hugging Face's <c>TrainerState</c>): epochs and optimiser steps done, the best
/// validation score so far, the early-stopping count, the epochs folded into the weight average, and the history.
/// The <see cref="TrainingCheckpoint"/> stores it as <c>trainer_state.json</c>, from which a run resumes.
/// </summary>
internal sealed class TrainerState
{
    /// <summary>Epochs finished.</summary>
    public int EpochsDone { get; set; }

    /// <summary>Optimiser steps taken (the learning-rate schedule's position).</summary>
    public int GlobalStep { get; set; }

    /// <summary>The best validation score so far; negative infinity before the first.</summary>
    public double BestScore { get; set; } = double.NegativeInfinity;

    /// <summary>The epoch that scored <see cref="BestScore"/>, or null.</summary>
    public int? BestEpoch { get; set; }

    /// <summary>Epochs since the best one, for early stopping.</summary>
    public int EpochsWithoutImprovement { get; set; }

    /// <summary>Whether early stopping ended the run.</summary>
    public bool StoppedEarly { get; set; }

    /// <summary>Epochs folded into the running weight average.</summary>
    public int AveragedEpochs { get; set; }

    /// <summary>The batch size the run trains with (it sets the steps and the schedule), or null in checkpoints written before it was recorded.</summary>
    public int? BatchSize { get; set; }

    /// <summary>The finished epochs' results, in order.</summary>
    public List<EpochResult> History { get; } = [];

    /// <summary>The run's history as the trainer returns it.</summary>
    public TrainingHistory ToHistory() => new(History.ToArray(), BestEpoch, StoppedEarly);

    /// <summary>The state as JSON, the history as a nested object.</summary>
    public string ToJson() => new JsonObject
    {
        [nameof(EpochsDone)] = EpochsDone,
        [nameof(GlobalStep)] = GlobalStep,
        [nameof(BestScore)] = double.IsFinite(BestScore) ? BestScore : null,
        [nameof(BestEpoch)] = BestEpoch,
        [nameof(EpochsWithoutImprovement)] = EpochsWithoutImprovement,
        [nameof(AveragedEpochs)] = AveragedEpochs,
        [nameof(BatchSize)] = BatchSize,
        [nameof(History)] = JsonNode.Parse(ToHistory().ToJson()),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Reads <see cref="ToJson"/>'s output, or the older form that stored the history as a JSON string.</summary>
    /// <exception cref="JsonException">The text is not a trainer state.</exception>
    public static TrainerState FromJson(string json)
    {
        JsonObject root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("The JSON holds no trainer state object.");
        string history = root[nameof(History)] switch
        {
            JsonValue text when text.TryGetValue(out string? older) => older,
            JsonObject nested => nested.ToJsonString(),
            _ => throw new JsonException($"The trainer state has no '{nameof(History)}'."),
        };
        TrainingHistory past = TrainingHistory.FromJson(history);
        var state = new TrainerState
        {
            EpochsDone = Read<int>(root, nameof(EpochsDone)),
            GlobalStep = Read<int>(root, nameof(GlobalStep)),
            BestScore = root[nameof(BestScore)] is JsonValue best ? best.GetValue<double>() : double.NegativeInfinity,
            BestEpoch = root[nameof(BestEpoch)] is JsonValue epoch ? epoch.GetValue<int>() : null,
            EpochsWithoutImprovement = Read<int>(root, nameof(EpochsWithoutImprovement)),
            AveragedEpochs = root[nameof(AveragedEpochs)] is JsonValue averaged ? averaged.GetValue<int>() : 0,
            BatchSize = root[nameof(BatchSize)] is JsonValue batchSize ? batchSize.GetValue<int>() : null,
            StoppedEarly = past.StoppedEarly,
        };
        state.History.AddRange(past.Epochs);
        return state;
    }

    private static T Read<T>(JsonObject root, string name)
    {
        try
        {
            return root[name] is JsonValue value ? value.GetValue<T>() : throw new JsonException($"The trainer state has no '{name}'.");
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new JsonException($"The trainer state's '{name}' is not a {typeof(T).Name}: {e.Message}", e);
        }
    }
}
