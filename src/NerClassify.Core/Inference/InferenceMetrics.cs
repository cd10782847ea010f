using System.Diagnostics.Metrics;

namespace NerClassify.Inference;

/// <summary>
/// The library's instruments, on the meter <see cref="MeterName"/>; a host collects them with OpenTelemetry's
/// <c>AddMeter("NerClassify")</c> or any <see cref="MeterListener"/>.
/// </summary>
internal static class InferenceMetrics
{
    public const string MeterName = "NerClassify";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Texts per coalesced forward pass of the micro-batcher.</summary>
    public static Histogram<int> BatchSize { get; } = Meter.CreateHistogram<int>("nerclassify.batch.size", unit: "{text}", description: "Texts per micro-batched forward pass.");
}
