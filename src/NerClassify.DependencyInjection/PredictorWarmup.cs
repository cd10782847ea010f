using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NerClassify.DependencyInjection;

/// <summary>Loads every registered model that asks for warm-up, and runs one prediction each, when the host starts.</summary>
internal sealed partial class PredictorWarmup(IEnumerable<PredictorSlot> slots, ILogger<PredictorWarmup>? logger = null) : IHostedService
{
    private readonly ILogger _logger = logger ?? NullLogger<PredictorWarmup>.Instance;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.Run(
        () =>
        {
            foreach (PredictorSlot slot in slots.Where(s => s.Options.WarmUp))
            {
                cancellationToken.ThrowIfCancellationRequested();
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                slot.WarmUp();
                LogWarm(slot.Key?.ToString() ?? "(default)", slot.Options.ModelPath, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        },
        cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Model {Key} from {ModelPath} loaded and warmed in {Milliseconds:F0} ms")]
    private partial void LogWarm(string key, string modelPath, double milliseconds);
}
