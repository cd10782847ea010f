using NerClassify.Inference;

namespace NerClassify.DependencyInjection;

/// <summary>
/// One registered model: loads it once, on first use or at warm-up, and tracks whether it is ready. The container
/// owns the slot, and the slot owns the model.
/// </summary>
internal sealed class PredictorSlot(object? key, NerClassifyOptions options, Func<NerClassifyOptions, INerPredictor> load) : IDisposable
{
    private readonly Lazy<INerPredictor> _predictor = new(() => load(options), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The service key, or null for the default registration.</summary>
    public object? Key { get; } = key;

    /// <summary>The registered options.</summary>
    public NerClassifyOptions Options { get; } = options;

    /// <summary>Whether a warm-up prediction has completed.</summary>
    public bool IsWarm { get; private set; }

    /// <summary>Whether the model has been loaded.</summary>
    public bool IsLoaded => _predictor.IsValueCreated;

    /// <summary>Why loading or warm-up failed, or null.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>The model, loaded on first call.</summary>
    public INerPredictor Get() => _predictor.Value;

    /// <summary>Loads the model and runs one prediction.</summary>
    public void WarmUp()
    {
        try
        {
            Get().Predict("Warm-up sentence in Paris .");
            IsWarm = true;
        }
        catch (Exception e)
        {
            Failure = e;
            throw;
        }
    }

    /// <summary>Disposes the model if it was loaded.</summary>
    public void Dispose()
    {
        if (_predictor.IsValueCreated)
        {
            _predictor.Value.Dispose();
        }
    }
}
