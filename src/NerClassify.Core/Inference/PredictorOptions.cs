namespace NerClassify.Inference;

/// <summary>Prediction settings of an <see cref="INerPredictor"/>.</summary>
public sealed record PredictorOptions
{
    /// <summary>Sentences per forward pass in batched prediction. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Decode token labels with BIO-constrained Viterbi, so no entity is ill-formed. Default true.</summary>
    public bool ConstrainedDecoding { get; init; } = true;

    /// <summary>
    /// Device and threads. Default <see cref="ComputeOptions.Default"/>. With ONNX Runtime,
    /// <see cref="ComputeOptions.Threads"/> is the session's intra-op thread count (null: ONNX Runtime's default) and the device must not be CUDA.
    /// </summary>
    public ComputeOptions Compute { get; init; } = ComputeOptions.Default;

    /// <summary>Checks the values.</summary>
    public PredictorOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentNullException.ThrowIfNull(Compute, nameof(Compute));
        Compute.Validate();
        return this;
    }
}
