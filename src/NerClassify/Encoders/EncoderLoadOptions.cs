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

    /// <summary>Checks the values.</summary>
    public EncoderLoadOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Compute, nameof(Compute));
        Compute.Validate();
        return this;
    }
}
