using NerClassify.Configuration;
using NerClassify.Inference;

namespace NerClassify.DependencyInjection;

/// <summary>
/// What <c>AddNerClassify</c> registers: which model to load and how to run it. A mutable class, as
/// <c>Action&lt;T&gt;</c> callbacks and <c>IConfiguration</c> binding expect; it is validated and copied at registration.
/// </summary>
/// <example>
/// From <c>appsettings.json</c>: <c>{ "NerClassify": { "ModelPath": "models/ner", "BatchSize": 16, "WarmUp": true } }</c>.
/// </example>
public sealed class NerClassifyOptions
{
    /// <summary>The model directory (or, for ONNX Runtime, a <c>.onnx</c> file). Required.</summary>
    public string ModelPath { get; set; } = string.Empty;

    /// <summary>Sentences per forward pass. Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>BIO-constrained Viterbi decoding. Default true.</summary>
    public bool ConstrainedDecoding { get; set; } = true;

    /// <summary>CPU threads, or null for the runtime's default.</summary>
    public int? Threads { get; set; }

    /// <summary>The device (TorchSharp only). Default <see cref="DeviceKind.Auto"/>.</summary>
    public DeviceKind Device { get; set; } = DeviceKind.Auto;

    /// <summary>Load the model and run one prediction when the host starts, so the first request is not slow. Default true.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>The prediction settings these options describe.</summary>
    public PredictorOptions ToPredictorOptions() => new PredictorOptions
    {
        BatchSize = BatchSize,
        ConstrainedDecoding = ConstrainedDecoding,
        Compute = new ComputeOptions { Threads = Threads, Device = Device },
    }.Validate();

    /// <summary>Checks the values; the message names the option.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    /// <exception cref="FileNotFoundException">The model path does not exist.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            throw new ArgumentException($"NerClassifyOptions.{nameof(ModelPath)} must name a model directory or ONNX file.", nameof(ModelPath));
        }

        if (!Directory.Exists(ModelPath) && !File.Exists(ModelPath))
        {
            throw new FileNotFoundException($"NerClassifyOptions.{nameof(ModelPath)}: '{ModelPath}' does not exist.", ModelPath);
        }

        _ = ToPredictorOptions();
    }

    /// <summary>A copy, so that later changes to a configured instance do not reach the registration.</summary>
    internal NerClassifyOptions Clone() => (NerClassifyOptions)MemberwiseClone();
}
