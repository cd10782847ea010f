using NerClassify.Configuration;

namespace NerClassify.Encoders;

/// <summary>How to load a pretrained encoder.</summary>
public sealed record EncoderLoadOptions
{
    /// <summary>Device and threads. Default <see cref="ComputeOptions.Default"/>.</summary>
    public ComputeOptions Compute { get; init; } = ComputeOptions.Default;

    /// <summary>
    /// Fail when the checkpoint lacks a parameter of the encoder (other than the pooler, which is
    /// left out when the checkpoint has none). Default true.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>
    /// The most parameters a model's <c>config.json</c> may describe; a larger model is refused before anything
    /// is allocated, with a message naming the file and its fields. Default 2,000,000,000 (about 8 GB in float32).
    /// </summary>
    public long MaxParameters { get; init; } = 2_000_000_000;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MaxParameters"/> is not positive.</exception>
    public EncoderLoadOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Compute, nameof(Compute));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxParameters, nameof(MaxParameters));
        Compute.Validate();
        return this;
    }
}
