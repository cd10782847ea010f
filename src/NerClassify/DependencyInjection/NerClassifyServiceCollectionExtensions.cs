using Microsoft.Extensions.DependencyInjection.Extensions;
using NerClassify.DependencyInjection;
using NerClassify.Inference;

// The Microsoft.Extensions convention: registration helpers live in the container's namespace.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers NerClassify with a service collection.</summary>
public static class NerClassifyServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="NerClassifyOptions"/> and a singleton <see cref="NerClassifier"/> that loads
    /// the model directory on first use. The options are validated here, at registration.
    /// </summary>
    /// <param name="services">The collection.</param>
    /// <param name="configure">Changes the default options; must set <see cref="NerClassifyOptions.ModelPath"/>.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddNerClassify(this IServiceCollection services, Func<NerClassifyOptions, NerClassifyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        NerClassifyOptions options = (configure?.Invoke(new NerClassifyOptions()) ?? new NerClassifyOptions()).Validate();
        services.TryAddSingleton(options);
        services.TryAddSingleton(provider =>
        {
            NerClassifyOptions registered = provider.GetRequiredService<NerClassifyOptions>();
            return NerClassifier.Load(registered.ModelPath, registered.Predictor);
        });
        return services;
    }

    /// <summary>Registers a <see cref="NerClassifier"/> for the model directory <paramref name="modelPath"/>.</summary>
    /// <param name="services">The collection.</param>
    /// <param name="modelPath">The fine-tuned model directory.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddNerClassify(this IServiceCollection services, string modelPath) =>
        services.AddNerClassify(options => options with { ModelPath = modelPath });
}
