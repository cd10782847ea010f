namespace NerClassify.Inference;

/// <summary>
/// Whether the TorchSharp predictor runs the encoder's inference forward on NerClassify's CPU kernels or on LibTorch's
/// operators (<see cref="PredictorOptions.CpuKernels"/>). Results agree within 1e-4; only speed differs.
/// </summary>
public enum CpuKernelMode
{
    /// <summary>
    /// The kernels where the CPU has a vector path for them (AVX-512, AVX2 with FMA, or ARM64's 128-bit vectors), chosen
    /// per batch shape against LibTorch: the first batch of each shape class runs both forwards a few times and the faster
    /// serves that class from then on.
    /// </summary>
    Auto,

    /// <summary>The kernels for every batch, wherever the CPU has a vector path for them (no measurement).</summary>
    Always,

    /// <summary>LibTorch's operators for every batch, as in training.</summary>
    Off,
}
