namespace NerClassify.Inference;

/// <summary>Settings of <see cref="NerClassifier"/>.</summary>
public sealed record PredictorOptions
{
    /// <summary>Sentences per forward pass in batched prediction. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Decode token labels with BIO-constrained Viterbi, so no entity is ill-formed. Default true.</summary>
    public bool ConstrainedDecoding { get; init; } = true;

    /// <summary>
    /// Device and threads. Default <see cref="ComputeOptions.Default"/>. With <see cref="InferenceBackend.OnnxRuntime"/>,
    /// <see cref="ComputeOptions.Threads"/> is the session's intra-op thread count (null: ONNX Runtime's default) and the device must not be CUDA.
    /// </summary>
    public ComputeOptions Compute { get; init; } = ComputeOptions.Default;

    /// <summary>
    /// The runtime that executes the model. Default <see cref="InferenceBackend.TorchSharp"/>. With
    /// <see cref="InferenceBackend.OnnxRuntime"/>, <see cref="NerClassifier.Load"/> runs the directory's <c>model.onnx</c>.
    /// </summary>
    public InferenceBackend Backend { get; init; } = InferenceBackend.TorchSharp;

    /// <summary>Coalescing of concurrent <see cref="NerClassifier.PredictAsync(string, CancellationToken)"/> calls. Default off.</summary>
    public MicroBatchingOptions MicroBatching { get; init; } = new();

    /// <summary>Checks the values.</summary>
    public PredictorOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentNullException.ThrowIfNull(Compute, nameof(Compute));
        Compute.Validate();
        ArgumentNullException.ThrowIfNull(MicroBatching, nameof(MicroBatching));
        MicroBatching.Validate();
        if (!Enum.IsDefined(Backend))
        {
            throw new ArgumentOutOfRangeException(nameof(Backend), Backend, "Unknown inference backend.");
        }

        return this;
    }
}
