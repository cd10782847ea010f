using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics;
using static TorchSharp.torch;

namespace NerClassify.Inference.Cpu;

/// <summary>
/// Chooses, per batch shape, between the kernel forward and LibTorch's: the first batch of each shape class runs both
/// a few times, alternating, and the faster (by its best time) serves that class from then on.
/// </summary>
/// <remarks>
/// <para>
/// Which path is faster depends on the CPU, not only on its vector width: on an AMD EPYC, where oneMKL takes its generic
/// path, the kernels were 2-3x faster at every shape; on an Intel Xeon with AVX-512, where oneMKL takes its own
/// AVX-512 path, LibTorch was faster at every shape but batch 1 (issue 29). A rule of thumb would be wrong on one of
/// them, so each process measures on its own machine.
/// </para>
/// <para>
/// A shape class is the number of rows (batch x tokens) and the tokens per sentence, each rounded up to a power of two:
/// costs grow smoothly within a class, and a prediction service sees a handful of classes. Measuring a class costs
/// <see cref="Rounds"/> extra forwards of each kind, once. The decision is kept per predictor (this instance), never
/// process-wide.
/// </para>
/// </remarks>
internal sealed class PathChooser
{
    /// <summary>Forwards of each kind run to decide one shape class; the best of them counts.</summary>
    public const int Rounds = 2;

    private readonly ConcurrentDictionary<(int Rows, int Length), bool> _decisions = new();

    /// <summary>The decisions so far: shape class (rows and tokens, rounded up to powers of two) and whether the kernels won.</summary>
    public IReadOnlyDictionary<(int Rows, int Length), bool> Decisions => _decisions;

    /// <summary>
    /// Whether a batch of <paramref name="batch"/> x <paramref name="length"/> tokens should run on the kernels; the first
    /// call for a shape class measures both forwards (their outputs are disposed here).
    /// </summary>
    public bool UseKernels(long batch, long length, Func<Tensor> kernelForward, Func<Tensor> libTorchForward)
    {
        (int, int) shapeClass = ((int)BitOperations.RoundUpToPowerOf2((uint)(batch * length)), (int)BitOperations.RoundUpToPowerOf2((uint)length));
        if (_decisions.TryGetValue(shapeClass, out bool kernels))
        {
            return kernels;
        }

        // Each forward's first run pays for first-touch allocations and cold caches; one warm-up each, then alternate.
        Time(kernelForward);
        Time(libTorchForward);
        long kernelBest = long.MaxValue, libTorchBest = long.MaxValue;
        for (int round = 0; round < Rounds; round++)
        {
            kernelBest = Math.Min(kernelBest, Time(kernelForward));
            libTorchBest = Math.Min(libTorchBest, Time(libTorchForward));
        }

        return _decisions.GetOrAdd(shapeClass, kernelBest <= libTorchBest);
    }

    private static long Time(Func<Tensor> forward)
    {
        long start = Stopwatch.GetTimestamp();
        forward().Dispose();
        return Stopwatch.GetTimestamp() - start;
    }
}
