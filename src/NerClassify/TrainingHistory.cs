using System.Text.Json;
using System.Text.Json.Serialization;

using NerClassify.Training;

namespace NerClassify;

/// <summary>What a training run did, epoch by epoch; serialises to JSON for plots and reports.</summary>
/// <param name="Epochs">Per-epoch results, in order (including epochs done before a resume).</param>
/// <param name="BestEpoch">The epoch with the best validation score, or null without validation.</param>
/// <param name="StoppedEarly">Whether early stopping ended the run.</param>
public sealed record TrainingHistory(IReadOnlyList<EpochResult> Epochs, int? BestEpoch, bool StoppedEarly)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Problems found in the trained model's validation scores, one sentence each, also logged as warnings (event 6007).
    /// Today one check: the sentence classifier predicts one class for over 90 % of the validation sentences while that
    /// class is less common in the truth. Empty without validation or when nothing was found.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The history as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a history written by <see cref="ToJson"/>.</summary>
    public static TrainingHistory FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingHistory>(json, JsonOptions) ?? throw new JsonException("The JSON holds no training history.");
}
