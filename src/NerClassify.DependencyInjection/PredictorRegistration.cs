using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using NerClassify.Inference;

namespace NerClassify.DependencyInjection;

/// <summary>
/// The registration that each backend's <c>AddNerClassify</c> overloads share (<c>AddNerClassify</c> in package
/// NerClassify, <c>AddOnnxNerClassify</c> in NerClassify.OnnxRuntime), public so that those packages need no access
/// to this one's internals, and so that a backend of your own registers the same way: one slot per model, loaded at
/// warm-up or first use, owned by the container and reported by <see cref="NerClassifyHealthCheck"/>.
/// </summary>
public static class PredictorRegistration
{
    /// <summary>Configures, validates and registers one model under <paramref name="key"/> (null: the default one).</summary>
    /// <typeparam name="TPredictor">The predictor type, registered besides <see cref="INerPredictor"/>.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="key">The service key, or null for the default model.</param>
    /// <param name="configure">Sets the options; they are validated and copied here.</param>
    /// <param name="load">Loads the model from the registered options, once, at warm-up or on first use.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="FileNotFoundException">The model path does not exist.</exception>
    public static IServiceCollection Add<TPredictor>(
        IServiceCollection services,
        object? key,
        Action<NerClassifyOptions> configure,
        Func<NerClassifyOptions, TPredictor> load)
        where TPredictor : class, INerPredictor
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new NerClassifyOptions();
        configure(options);
        options.Validate();
        NerClassifyOptions registered = options.Clone();
        var slot = new PredictorSlot(key, registered, o => load(o));
        services.AddSingleton(_ => slot);
        if (key is null)
        {
            services.TryAddSingleton<INerPredictor>(_ => slot.Get());
            services.TryAddSingleton(_ => (TPredictor)slot.Get());
        }
        else
        {
            services.AddKeyedSingleton<INerPredictor>(key, (_, _) => slot.Get());
            services.AddKeyedSingleton(key, (_, _) => (TPredictor)slot.Get());
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PredictorWarmup>());
        return services;
    }

    /// <summary>Binds <paramref name="configuration"/> onto the options before <paramref name="configure"/> runs; an unknown key is an error.</summary>
    /// <param name="configuration">The section whose keys are the names of <see cref="NerClassifyOptions"/>'s properties.</param>
    /// <param name="configure">Further changes after binding, or null.</param>
    /// <returns>The combined callback, for <see cref="Add{TPredictor}"/>.</returns>
    public static Action<NerClassifyOptions> Bind(IConfiguration configuration, Action<NerClassifyOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return options =>
        {
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
            configure?.Invoke(options);
        };
    }
}
