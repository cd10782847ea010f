using System.Runtime.InteropServices;

namespace NerClassify.Inference.Cpu;

/// <summary>
/// Runs LibTorch's own operators on one thread for the calling thread only, while the kernels use the cores: OpenMP's
/// thread count is a per-thread setting (<c>omp_set_num_threads</c>), and so is oneMKL's
/// (<c>MKL_Set_Num_Threads_Local</c>). LibTorch's process-wide <c>set_num_threads</c> is left alone, so other
/// threads (a training loop, another prediction) keep theirs, and the calling thread gets its own count back.
/// </summary>
/// <remarks>
/// Without it, LibTorch's OpenMP workers spin on the second core after each small operator and slow the kernels'
/// helper thread there (a MiniLM forward at 1 x 32 tokens took 10.4 ms instead of 5.9). Found through the already
/// loaded <c>libtorch_cpu</c> on Linux; elsewhere <see cref="IsAvailable"/> is false and <see cref="LimitToOne"/>
/// does nothing: the kernels still run on their configured threads, and only the few LibTorch operators of a forward
/// (the embeddings) keep LibTorch's thread count.
/// </remarks>
internal static unsafe class LibTorchThreadLimit
{
    private static readonly delegate* unmanaged<int, void> SetOpenMpThreads;
    private static readonly delegate* unmanaged<int> GetOpenMpThreads;
    private static readonly delegate* unmanaged<int, int> SetMklThreadsLocal;

    static LibTorchThreadLimit()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libtorch_cpu.so", out nint library))
        {
            return;
        }

        // dlsym on libtorch_cpu's handle also searches the libraries it depends on (its bundled libgomp).
        if (NativeLibrary.TryGetExport(library, "omp_set_num_threads", out nint set)
            && NativeLibrary.TryGetExport(library, "omp_get_max_threads", out nint get)
            && NativeLibrary.TryGetExport(library, "MKL_Set_Num_Threads_Local", out nint mkl))
        {
            SetOpenMpThreads = (delegate* unmanaged<int, void>)set;
            GetOpenMpThreads = (delegate* unmanaged<int>)get;
            SetMklThreadsLocal = (delegate* unmanaged<int, int>)mkl;
        }
    }

    /// <summary>Whether the per-thread settings were found.</summary>
    public static bool IsAvailable => SetOpenMpThreads != null;

    /// <summary>Limits LibTorch to one thread on the calling thread until the returned value is disposed; does nothing where <see cref="IsAvailable"/> is false.</summary>
    public static Scope LimitToOne() => LimitTo(1);

    /// <summary>
    /// Sets LibTorch's thread count on the calling thread to <paramref name="threads"/> until the returned value is
    /// disposed (inside a <see cref="LimitToOne"/> scope, this gives a LibTorch forward its threads back); does nothing
    /// where <see cref="IsAvailable"/> is false.
    /// </summary>
    public static Scope LimitTo(int threads)
    {
        if (!IsAvailable)
        {
            return default;
        }

        int openMp = GetOpenMpThreads();
        SetOpenMpThreads(threads);
        int mkl = SetMklThreadsLocal(threads);
        return new Scope(openMp, mkl, active: true);
    }

    /// <summary>Restores the calling thread's LibTorch thread counts.</summary>
    internal readonly struct Scope(int openMpThreads, int mklThreads, bool active) : IDisposable
    {
        public void Dispose()
        {
            if (active)
            {
                SetOpenMpThreads(openMpThreads);
                SetMklThreadsLocal(mklThreads);
            }
        }
    }
}
