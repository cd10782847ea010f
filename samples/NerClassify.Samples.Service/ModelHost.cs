using NerClassify.Inference;

namespace NerClassify.Samples.Service;

/// <summary>Loads the classifier (how is replaceable, for tests).</summary>
public delegate INerPredictor ModelLoader(CancellationToken cancellationToken);

/// <summary>
/// Holds the classifier: loads it in the background at start-up, warms it with one prediction, then reports ready.
/// </summary>
public sealed partial class ModelHost(ModelLoader loader, ILogger<ModelHost> logger) : BackgroundService
{
    private const string WarmUpText = "The service warms up in London.";

    private INerPredictor? _classifier;

    /// <summary>Set when loading or warm-up failed; the process is unhealthy then.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>The warmed-up classifier, or null while loading.</summary>
    public INerPredictor? Classifier => Volatile.Read(ref _classifier);

    /// <inheritdoc />
    public override void Dispose()
    {
        // The container may dispose this twice (as the singleton and as the hosted service): release the model once.
        Interlocked.Exchange(ref _classifier, null)?.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Loading is synchronous CPU work; keep it off the host's start-up path so /healthz answers meanwhile.
            INerPredictor classifier = await Task.Run(() => loader(stoppingToken), stoppingToken).ConfigureAwait(false);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await classifier.PredictAsync(WarmUpText, stoppingToken).ConfigureAwait(false);
            Volatile.Write(ref _classifier, classifier);
            LogReady(logger, clock.Elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down before ready.
        }
        catch (Exception exception)
        {
            Failure = exception;
            LogFailed(logger, exception);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Model loaded and warmed up ({WarmUpMilliseconds:F1} ms warm-up prediction)")]
    private static partial void LogReady(ILogger logger, double warmUpMilliseconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The model could not be loaded")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
