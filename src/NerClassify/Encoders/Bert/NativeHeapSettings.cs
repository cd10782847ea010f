using System.Runtime.InteropServices;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// Keeps memory that LibTorch frees in glibc's heap instead of handing it back to the kernel after every forward
/// pass, so that the next forward does not take thousands of page faults to get it back.
/// </summary>
/// <remarks>
/// <para>
/// Every forward pass allocates its activations afresh (a MiniLM layer at 8 x 128 tokens writes 4.7 MB of query,
/// key and value and 6.3 MB of feed-forward activations). glibc's default policy trims the top of its heap once
/// more than twice its current mmap threshold lies free there, and depending on the order of frees that happens
/// after every forward for seconds at a time: on the 2-core reference machine such stretches took about 6,000 minor
/// page faults per forward and ran 1.5x slower (160 against 80-90 ms at 8 x 128). ONNX Runtime keeps its own arena
/// and never sees this.
/// </para>
/// <para>
/// So, once per process, before the first inference forward that uses the CPU kernels, the mmap threshold is set
/// to glibc's own dynamic maximum (32 MB) and the trim threshold to 128 MB (<c>mallopt</c>). The process then keeps
/// up to 128 MB of freed memory mapped. Nothing changes where the C library is not glibc, where the user has set
/// either threshold through <c>MALLOC_MMAP_THRESHOLD_</c> or <c>MALLOC_TRIM_THRESHOLD_</c>, or where
/// <c>NERCLASSIFY_HEAP_TUNING=0</c>.
/// </para>
/// <para>
/// Separately, when the assembly loads (<see cref="LimitArenasOnce"/>), glibc's number of malloc arenas is capped at
/// <see cref="ArenaLimit"/>. By default glibc gives each thread that allocates its own arena, up to 8 per core, and an
/// arena keeps the memory freed into it: while training, LibTorch's and .NET's worker threads each filled a 64 MB arena,
/// and the quickstart's process peaked at 1.66 GB resident on 2 cores (docs/benchmarks.md; more on machines with more
/// cores). The same switches leave it alone: <c>NERCLASSIFY_HEAP_TUNING=0</c>, or the user's own <c>MALLOC_ARENA_MAX</c>.
/// </para>
/// </remarks>
internal static unsafe class NativeHeapSettings
{
    /// <summary>The most malloc arenas the process keeps (glibc's <c>M_ARENA_MAX</c>).</summary>
    public const int ArenaLimit = 2;

    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD
    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD
    private const int ArenaMax = -8; // M_ARENA_MAX

    private static int s_arenasLimited;
    private const int MmapThresholdBytes = 32 * 1024 * 1024;
    private const int TrimThresholdBytes = 128 * 1024 * 1024;

    private static int s_applied;

    /// <summary>Whether this call or an earlier one changed the thresholds.</summary>
    public static bool Applied { get; private set; }

    /// <summary>Sets the thresholds on the first call, where that applies (see the remarks); later calls do nothing.</summary>
    public static void ApplyOnce()
    {
        // A plain read first: this runs at the start of every inference forward, and after the first call it is all.
        if (Volatile.Read(ref s_applied) != 0 || Interlocked.Exchange(ref s_applied, 1) != 0
            || !ShouldApply(Environment.GetEnvironmentVariable))
        {
            return;
        }

        if (NativeLibrary.TryLoad("libc.so.6", out nint libc)
            && NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _)
            && NativeLibrary.TryGetExport(libc, "mallopt", out nint mallopt))
        {
            var set = (delegate* unmanaged<int, int, int>)mallopt;
            Applied = set(MmapThreshold, MmapThresholdBytes) == 1 && set(TrimThreshold, TrimThresholdBytes) == 1;
        }
    }

    /// <summary>Whether <see cref="LimitArenasOnce"/> capped the number of malloc arenas.</summary>
    public static bool ArenasLimited { get; private set; }

    /// <summary>Caps glibc's malloc arenas at <see cref="ArenaLimit"/> on the first call, where that applies (see the remarks).</summary>
    public static void LimitArenasOnce()
    {
        if (Interlocked.Exchange(ref s_arenasLimited, 1) != 0 || !ShouldLimitArenas(Environment.GetEnvironmentVariable))
        {
            return;
        }

        if (NativeLibrary.TryLoad("libc.so.6", out nint libc)
            && NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _)
            && NativeLibrary.TryGetExport(libc, "mallopt", out nint mallopt))
        {
            ArenasLimited = ((delegate* unmanaged<int, int, int>)mallopt)(ArenaMax, ArenaLimit) == 1;
        }
    }

    /// <summary>Whether the arenas should be capped, given the process's environment variables.</summary>
    internal static bool ShouldLimitArenas(Func<string, string?> environment) =>
        OperatingSystem.IsLinux()
        && environment("NERCLASSIFY_HEAP_TUNING") != "0"
        && environment("MALLOC_ARENA_MAX") is null;

    /// <summary>Whether the thresholds should be set, given the process's environment variables.</summary>
    internal static bool ShouldApply(Func<string, string?> environment) =>
        OperatingSystem.IsLinux()
        && environment("NERCLASSIFY_HEAP_TUNING") != "0"
        && environment("MALLOC_MMAP_THRESHOLD_") is null
        && environment("MALLOC_TRIM_THRESHOLD_") is null;
}
