using Microsoft.Extensions.Configuration;
using NerClassify;
using NerClassify.DependencyInjection;

// The Microsoft.Extensions convention: registration helpers live in the container's namespace.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers fine-tuned models for injection as <see cref="NerClassify.Inference.INerPredictor"/> and
/// <see cref="NerClassifier"/>: one default model, or several under keys. Options are validated here, at
/// registration; the model loads at host start (warm-up, the default) or on first use. The container owns it.
/// </summary>
public static class NerClassifyServiceCollectionExtensions
{
    /// <summary>Registers the default model.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="NerClassifyOptions.ModelPath"/> and the other options.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="FileNotFoundException">The model path does not exist.</exception>
    public static IServiceCollection AddNerClassify(this IServiceCollection services, Action<NerClassifyOptions> configure) =>
        PredictorRegistration.Add(services, null, configure, Load);

    /// <summary>Registers the default model from a configuration section (for example <c>Configuration.GetSection("NerClassify")</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section whose keys are the names of <see cref="NerClassifyOptions"/>'s properties.</param>
    /// <param name="configure">Further changes after binding, or null.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddNerClassify(this IServiceCollection services, IConfiguration configuration, Action<NerClassifyOptions>? configure = null) =>
        PredictorRegistration.Add(services, null, PredictorRegistration.Bind(configuration, configure), Load);

    /// <summary>Registers a model under <paramref name="serviceKey"/>; resolve it with <c>[FromKeyedServices(key)]</c> or <c>GetRequiredKeyedService</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key.</param>
    /// <param name="configure">Sets <see cref="NerClassifyOptions.ModelPath"/> and the other options.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedNerClassify(this IServiceCollection services, object serviceKey, Action<NerClassifyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return PredictorRegistration.Add(services, serviceKey, configure, Load);
    }

    private static NerClassifier Load(NerClassifyOptions options) => NerClassifier.Load(options.ModelPath, options.ToPredictorOptions());
}
