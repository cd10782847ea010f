using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NerClassify.DependencyInjection;

/// <summary>
/// Reports whether the models registered with <c>AddNerClassify</c> are ready: healthy when every model that asks
/// for warm-up has answered its warm-up prediction, degraded while one is still loading, unhealthy when one failed.
/// Register it with <c>services.AddHealthChecks().AddCheck&lt;NerClassifyHealthCheck&gt;("nerclassify")</c>.
/// </summary>
public sealed class NerClassifyHealthCheck : IHealthCheck
{
    private readonly PredictorSlot[] _slots;

    /// <summary>Created by the container.</summary>
    /// <param name="services">The container, from which the registered models are read.</param>
    public NerClassifyHealthCheck(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _slots = ((IEnumerable<PredictorSlot>?)services.GetService(typeof(IEnumerable<PredictorSlot>)) ?? []).ToArray();
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = _slots.ToDictionary(
            s => s.Key?.ToString() ?? "default",
            s => (object)(s.Failure is not null ? "failed" : s.IsWarm ? "ready" : s.IsLoaded ? "loaded" : "not loaded"));
        if (_slots.Length == 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("No NerClassify model is registered."));
        }

        if (_slots.FirstOrDefault(s => s.Failure is not null) is { } failed)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Model '{failed.Options.ModelPath}' failed to load: {failed.Failure!.Message}", failed.Failure, data));
        }

        bool ready = _slots.All(s => s.IsWarm || (!s.Options.WarmUp && s.IsLoaded));
        return Task.FromResult(ready
            ? HealthCheckResult.Healthy("All models are loaded and warmed.", data)
            : HealthCheckResult.Degraded("A model is still loading.", data: data));
    }
}
