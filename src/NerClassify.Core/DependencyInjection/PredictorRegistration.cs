using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using NerClassify.Inference;

namespace NerClassify.DependencyInjection;

/// <summary>The registration that each backend's <c>AddNerClassify</c> overloads share.</summary>
internal static class PredictorRegistration
{
    /// <summary>Configures, validates and registers one model under <paramref name="key"/> (null: the default one).</summary>
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

    /// <summary>Binds <paramref name="configuration"/> onto the options before <paramref name="configure"/> runs.</summary>
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
