namespace NerClassify.Configuration;

/// <summary>Device placement and CPU threading.</summary>
public sealed record ComputeOptions
{
    /// <summary>The default: <see cref="DeviceKind.Auto"/> and TorchSharp's own thread count.</summary>
    public static ComputeOptions Default { get; } = new();

    /// <summary>Where to run. Default <see cref="DeviceKind.Auto"/>.</summary>
    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    /// <summary>
    /// Threads for CPU operators (TorchSharp's intra-op pool, which is process-wide; for the ONNX Runtime
    /// inference backend, the session's intra-op threads), or null to keep
    /// LibTorch's default (the number of physical cores). Default null.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Threads"/> is below 1.</exception>
    public ComputeOptions Validate()
    {
        if (Threads is { } threads)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(Threads));
        }

        if (!Enum.IsDefined(Device))
        {
            throw new ArgumentOutOfRangeException(nameof(Device), Device, "Unknown device kind.");
        }

        return this;
    }
}
