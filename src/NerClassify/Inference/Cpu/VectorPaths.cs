using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NerClassify.Inference.Cpu;

/// <summary>Which <see cref="VectorPath"/> this CPU and runtime can run, and which one the kernels use.</summary>
/// <remarks>
/// The runtime's own judgement decides (<c>IsHardwareAccelerated</c>, <c>IsSupported</c>), so the switches
/// <c>DOTNET_EnableAVX512=0</c> (the AVX2 path) and <c>DOTNET_EnableHWIntrinsic=0</c> (no vector path: LibTorch) choose
/// the path a test or benchmark process runs.
/// </remarks>
internal static class VectorPaths
{
    /// <summary>
    /// The widest path this CPU accelerates, or null where none is (then the encoder runs LibTorch's operators). The
    /// 128-bit path counts only where multiply-add is one instruction (ARM64, or x86 with FMA): elsewhere .NET emulates it
    /// one lane at a time.
    /// </summary>
    public static VectorPath? Best { get; } =
        CanRun(VectorPath.Avx512) ? VectorPath.Avx512
        : CanRun(VectorPath.Avx2) ? VectorPath.Avx2
        : Vector128.IsHardwareAccelerated && (AdvSimd.IsSupported || Fma.IsSupported) ? VectorPath.Vector128
        : null;

    /// <summary>
    /// Whether <paramref name="path"/> runs on this CPU at all. <see cref="VectorPath.Vector128"/> always does (in
    /// software where nothing accelerates it), which is how the tests check its results on any machine.
    /// </summary>
    public static bool CanRun(VectorPath path) => path switch
    {
        VectorPath.Avx512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx2.IsSupported && Sse3.IsSupported,
        VectorPath.Avx2 => Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported && Sse3.IsSupported,
        _ => true,
    };
}
