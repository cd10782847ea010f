using System.Runtime.InteropServices;

namespace NerClassify.Inference.Cpu;

/// <summary>
/// glibc heap tuning for the whole process, applied only when a predictor is created with
/// <see cref="PredictorOptions.TuneNativeHeap"/> on: freed memory stays in the heap, and at most two malloc arenas.
/// </summary>
/// <remarks>
/// <para>
/// Every forward pass allocates its activations afresh (a MiniLM layer at 8 x 128 tokens writes 4.7 MB of query,
/// key and value and 6.3 MB of feed-forward activations). glibc's default policy trims the top of its heap once
/// more than twice its current mmap threshold lies free there, and depending on the order of frees that happens
/// after every forward for seconds at a time: on the 2-core reference machine such stretches took about 6,000 minor
/// page faults per forward and ran 1.5x slower (160 against 80-90 ms at 8 x 128). ONNX Runtime keeps its own arena
/// and never sees this. So the mmap threshold is set to glibc's own dynamic maximum (32 MB) and the trim threshold to
/// 128 MB (<c>mallopt</c>): the process then keeps up to 128 MB of freed memory mapped.
/// </para>
/// <para>
/// By default glibc gives each thread that allocates its own arena, up to 8 per core, and an arena keeps the memory
/// freed into it: while training, LibTorch's and .NET's worker threads each filled a 64 MB arena, and the quickstart's
/// process peaked at 1.66 GB resident on 2 cores (1.51 GB with the cap; docs/benchmarks.md). A cap set from inside the
/// process stops new arenas but cannot merge those already made, so it helps most when set early; the environment
/// variable <c>MALLOC_ARENA_MAX=2</c>, set before the process starts, does more (1.34 GB).
/// </para>
/// <para>
/// Nothing changes where the C library is not glibc, and a setting the user made through glibc's own environment
/// variables (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>, <c>MALLOC_ARENA_MAX</c>) is left alone.
/// </para>
/// </remarks>
internal static unsafe class NativeHeapSettings
{
    /// <summary>The most malloc arenas the process keeps (glibc's <c>M_ARENA_MAX</c>).</summary>
    public const int ArenaLimit = 2;

    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD
    private const int ArenaMax = -8; // M_ARENA_MAX
    private const int MmapThresholdBytes = 32 * 1024 * 1024;
    private const int TrimThresholdBytes = 128 * 1024 * 1024;

    private static int s_applied;

    /// <summary>Whether <see cref="ApplyOnce"/> changed the thresholds.</summary>
    public static bool ThresholdsSet { get; private set; }

    /// <summary>Whether <see cref="ApplyOnce"/> capped the number of malloc arenas.</summary>
    public static bool ArenasLimited { get; private set; }

    /// <summary>Tunes the heap on the first call, where that applies (see the remarks); later calls do nothing.</summary>
    public static void ApplyOnce()
    {
        if (Interlocked.Exchange(ref s_applied, 1) != 0 || !OperatingSystem.IsLinux()
            || !NativeLibrary.TryLoad("libc.so.6", out nint libc)
            || !NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _)
            || !NativeLibrary.TryGetExport(libc, "mallopt", out nint mallopt))
        {
            return;
        }

        var set = (delegate* unmanaged<int, int, int>)mallopt;
        if (ShouldLimitArenas(Environment.GetEnvironmentVariable))
        {
            ArenasLimited = set(ArenaMax, ArenaLimit) == 1;
        }

        if (ShouldSetThresholds(Environment.GetEnvironmentVariable))
        {
            ThresholdsSet = set(MmapThreshold, MmapThresholdBytes) == 1 && set(TrimThreshold, TrimThresholdBytes) == 1;
        }
    }

    /// <summary>Whether the arenas should be capped, given the process's environment variables.</summary>
    internal static bool ShouldLimitArenas(Func<string, string?> environment) =>
        OperatingSystem.IsLinux() && environment("MALLOC_ARENA_MAX") is null;

    /// <summary>Whether the thresholds should be set, given the process's environment variables.</summary>
    internal static bool ShouldSetThresholds(Func<string, string?> environment) =>
        OperatingSystem.IsLinux()
        && environment("MALLOC_MMAP_THRESHOLD_") is null
        && environment("MALLOC_TRIM_THRESHOLD_") is null;
}
