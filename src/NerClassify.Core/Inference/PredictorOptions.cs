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

    /// <summary>
    /// The TorchSharp predictor's encoder forward on the CPU: NerClassify's kernels or LibTorch's operators. Default
    /// <see cref="CpuKernelMode.Auto"/>: the kernels bring the forward to ONNX Runtime's speed where LibTorch's matrix
    /// products are slow (oneMKL's generic path on AMD CPUs: 2-3x), and LibTorch keeps the shapes where it measures faster
    /// (oneMKL's own AVX-512 path on Intel CPUs). The kernels use <see cref="ComputeOptions.Threads"/> threads (null:
    /// LibTorch's thread count). Ignored by the ONNX Runtime predictor and on CUDA.
    /// </summary>
    public CpuKernelMode CpuKernels { get; init; } = CpuKernelMode.Auto;

    /// <summary>
    /// Whether creating a TorchSharp predictor may tune glibc's heap for the whole process (Linux with glibc only): it
    /// keeps up to 128 MB of freed memory mapped (mmap threshold 32 MB, trim threshold 128 MB), so that a forward does not
    /// take back, through thousands of page faults, the activations the previous one freed (seen as 1.35-1.5x slower
    /// stretches at 8 x 128 tokens), and it caps glibc's malloc arenas at two, which keeps training's peak memory from
    /// growing with the thread count (1.66 to 1.51 GB for the quickstart). Thresholds or an arena count set through
    /// glibc's own environment variables (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>,
    /// <c>MALLOC_ARENA_MAX</c>) are left alone. Default false: a library should not change its host's allocator unasked.
    /// </summary>
    public bool TuneNativeHeap { get; init; }

    /// <summary>Coalescing of concurrent <see cref="INerPredictor.PredictAsync(string, CancellationToken)"/> calls. Default off.</summary>
    public MicroBatchingOptions MicroBatching { get; init; } = new();

    /// <summary>Checks the values.</summary>
    public PredictorOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInputLength, 1, nameof(MaxInputLength));
        ArgumentNullException.ThrowIfNull(Compute, nameof(Compute));
        Compute.Validate();
        if (!Enum.IsDefined(CpuKernels))
        {
            throw new ArgumentOutOfRangeException(nameof(CpuKernels), CpuKernels, "Unknown CPU kernel mode.");
        }

        ArgumentNullException.ThrowIfNull(MicroBatching, nameof(MicroBatching));
        MicroBatching.Validate();
        return this;
    }
}
