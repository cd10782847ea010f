using Microsoft.Extensions.Configuration;
using NerClassify.DependencyInjection;
using NerClassify.OnnxRuntime;

// The Microsoft.Extensions convention: registration helpers live in the container's namespace.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers ONNX exports for injection as <see cref="NerClassify.Inference.INerPredictor"/> and
/// <see cref="OnnxNerClassifier"/>, run by ONNX Runtime without TorchSharp: one default model, or several under keys.
/// </summary>
public static class OnnxNerClassifyServiceCollectionExtensions
{
    /// <summary>Registers the default model: <see cref="NerClassifyOptions.ModelPath"/> names a <c>.onnx</c> file or a directory holding <c>model.onnx</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the model path and the other options.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddOnnxNerClassify(this IServiceCollection services, Action<NerClassifyOptions> configure) =>
        PredictorRegistration.Add(services, null, configure, Load);

    /// <summary>Registers the default model from a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section whose keys are the names of <see cref="NerClassifyOptions"/>'s properties.</param>
    /// <param name="configure">Further changes after binding, or null.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddOnnxNerClassify(this IServiceCollection services, IConfiguration configuration, Action<NerClassifyOptions>? configure = null) =>
        PredictorRegistration.Add(services, null, PredictorRegistration.Bind(configuration, configure), Load);

    /// <summary>Registers a model under <paramref name="serviceKey"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The key.</param>
    /// <param name="configure">Sets the model path and the other options.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddKeyedOnnxNerClassify(this IServiceCollection services, object serviceKey, Action<NerClassifyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return PredictorRegistration.Add(services, serviceKey, configure, Load);
    }

    private static OnnxNerClassifier Load(NerClassifyOptions options) => OnnxNerClassifier.Load(options.ModelPath, options.ToPredictorOptions());
}
