using NerClassify.Configuration;

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

    /// <summary>
    /// The longest text, in UTF-16 characters, that prediction accepts; longer texts throw an <see cref="ArgumentException"/>
    /// naming the text and this limit, before any work starts. For pre-split words the length is that of the words joined
    /// by single spaces. Default 100,000: about 15,000 English words or 40 pages, some 80 windows of 512 subwords (up to
    /// about 260 for text made only of punctuation, where every character is a word), which a BERT-base model predicts
    /// on a CPU in tens of seconds to a few minutes. Cost is linear in the length: raise the limit for trusted long
    /// documents, lower it for a service fed untrusted text.
    /// </summary>
    public int MaxInputLength { get; init; } = 100_000;

    /// <summary>Coalescing of concurrent <see cref="INerPredictor.PredictAsync(string, CancellationToken)"/> calls. Default off.</summary>
    public MicroBatchingOptions MicroBatching { get; init; } = new();

    /// <summary>Checks the values.</summary>
    public PredictorOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInputLength, 1, nameof(MaxInputLength));
        ArgumentNullException.ThrowIfNull(Compute, nameof(Compute));
        Compute.Validate();
        ArgumentNullException.ThrowIfNull(MicroBatching, nameof(MicroBatching));
        MicroBatching.Validate();
        return this;
    }
}
