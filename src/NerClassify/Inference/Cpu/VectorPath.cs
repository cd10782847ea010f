namespace NerClassify.Inference.Cpu;

/// <summary>The vector width the CPU kernels are compiled for; the best one the CPU accelerates is chosen once per process.</summary>
internal enum VectorPath
{
    /// <summary>128-bit vectors through .NET's portable <c>Vector128</c> API (ARM64 AdvSimd; a software fallback elsewhere).</summary>
    Vector128,

    /// <summary>256-bit vectors with AVX2 and FMA.</summary>
    Avx2,

    /// <summary>512-bit vectors with AVX-512F.</summary>
    Avx512,
}
