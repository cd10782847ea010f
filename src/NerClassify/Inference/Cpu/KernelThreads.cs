using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace NerClassify.Inference.Cpu;

/// <summary>
/// Helper threads that share the parts of one kernel call with the calling thread. Between calls a helper spins
/// for a short while before it sleeps, so the two dozen back-to-back kernel calls of one forward pass do not each
/// pay a thread wake-up (about 15-40 microseconds through the thread pool, against 100-300 for the work itself).
/// </summary>
/// <remarks>
/// <para>
/// A call's units are cut into a few chunks per thread, and every thread, the caller included, claims the next
/// unclaimed chunk until none is left. The caller waits only for chunks that were claimed, never for a helper to
/// start: when the other core is busy (another process, a garbage collection) the caller does the work of the
/// helper that has not woken, instead of waiting for it as a fixed half-and-half split would.
/// </para>
/// <para>One caller at a time: a second concurrent caller is told to run its work alone, since the first
/// caller's threads already occupy the cores.</para>
/// </remarks>
internal sealed class KernelThreads
{
    /// <summary>Chunks per thread: enough for the caller to absorb a late helper's share, few enough that claiming
    /// one (an interlocked increment) stays negligible next to its work.</summary>
    internal const int ChunksPerThread = 8;

    private static readonly long SpinTicks = Stopwatch.Frequency / 2000; // 0.5 ms

    private readonly object _callGate = new();
    private readonly object _sleepGate = new();
    private readonly List<Thread> _helpers = [];
    private Call? _call;
    private int _generation;

    /// <summary>The process-wide instance; helpers are started on first use, as many as the callers ask for.</summary>
    public static KernelThreads Shared { get; } = new();

    /// <summary>
    /// Calls <paramref name="run"/>(start, end) on contiguous ranges that together cover <c>[0, units)</c> once,
    /// on the calling thread and up to <paramref name="threads"/> - 1 helpers, and returns when all are done.
    /// Runs everything as one range on the calling thread when one thread is asked for, there is one unit, or
    /// another caller is using the helpers. The first exception any range throws is rethrown here.
    /// </summary>
    public void Split(long units, int threads, Action<long, long> run)
    {
        int parts = (int)Math.Min(units, threads);
        if (parts <= 1 || !Monitor.TryEnter(_callGate))
        {
            run(0, units);
            return;
        }

        Call call;
        try
        {
            while (_helpers.Count < parts - 1)
            {
                int index = _helpers.Count;
                var thread = new Thread(() => HelperLoop(index)) { IsBackground = true, Name = "NerClassify kernel helper" };
                _helpers.Add(thread);
                thread.Start();
            }

            call = new Call(units, (int)Math.Min(units, (long)parts * ChunksPerThread), helpers: parts - 1, run);
            Volatile.Write(ref _call, call);
            lock (_sleepGate)
            {
                _generation++;
                Monitor.PulseAll(_sleepGate);
            }

            call.Work();
            call.WaitForClaimedChunks();
            Volatile.Write(ref _call, null);
        }
        finally
        {
            Monitor.Exit(_callGate);
        }

        call.ThrowIfFailed();
    }

    private void HelperLoop(int index)
    {
        int seen = 0;
        while (true)
        {
            long idleSince = Stopwatch.GetTimestamp();
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _generation) == seen)
            {
                if (Stopwatch.GetTimestamp() - idleSince < SpinTicks)
                {
                    // Spins, then yields between checks: where the scheduler has put this thread on the caller's
                    // core, the caller gets that core back at once instead of at the end of a time slice.
                    spinner.SpinOnce(sleep1Threshold: -1);
                    continue;
                }

                lock (_sleepGate)
                {
                    while (_generation == seen)
                    {
                        Monitor.Wait(_sleepGate);
                    }
                }
            }

            seen = Volatile.Read(ref _generation);
            if (Volatile.Read(ref _call) is { } call && index < call.Helpers)
            {
                call.Work();
            }
        }
    }

    /// <summary>One <see cref="Split"/> call: its chunks, the next one to claim, and how many have finished.</summary>
    private sealed class Call(long units, int chunks, int helpers, Action<long, long> run)
    {
        private int _claimed;
        private int _finished;
        private Exception? _failure;

        /// <summary>How many helpers may join (the caller asked for this many threads besides itself).</summary>
        public int Helpers => helpers;

        /// <summary>Claims and runs chunks until none is left. A helper that wakes after the call ended finds
        /// every chunk claimed and returns at once.</summary>
        public void Work()
        {
            int chunk;
            while ((chunk = Interlocked.Increment(ref _claimed) - 1) < chunks)
            {
                try
                {
                    run(units * chunk / chunks, units * (chunk + 1) / chunks);
                }
                catch (Exception exception)
                {
                    Interlocked.CompareExchange(ref _failure, exception, null);
                }
                finally
                {
                    Interlocked.Increment(ref _finished);
                }
            }
        }

        public void WaitForClaimedChunks()
        {
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _finished) < chunks)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        public void ThrowIfFailed()
        {
            if (_failure is { } failure)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }
    }
}
