using System.Diagnostics;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// Helper threads that run parts of one projection next to the calling thread. Between calls a helper spins for
/// a short while before it sleeps, so the two dozen back-to-back projections of one forward pass do not each pay
/// a thread wake-up (about 15-40 microseconds through the thread pool, against 100-300 for the work itself).
/// </summary>
/// <remarks>One caller at a time: a second concurrent caller is told to run its work alone, since the first
/// caller's threads already occupy the cores.</remarks>
internal sealed class KernelThreads
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 2000; // 0.5 ms

    private readonly object _callGate = new();
    private readonly object _sleepGate = new();
    private readonly List<Thread> _helpers = [];
    private Action<int>? _work;
    private int _parts;
    private int _generation;
    private int _remaining;
    private Exception? _failure;

    /// <summary>The process-wide instance; helpers are started on first use, as many as the callers ask for.</summary>
    public static KernelThreads Shared { get; } = new();

    /// <summary>
    /// Splits <c>[0, units)</c> into contiguous shares for up to <paramref name="threads"/> threads and calls
    /// <paramref name="run"/>(start, end) for each, the first share on the calling thread; returns when all are done.
    /// Runs everything on the calling thread when one thread is asked for, there is one unit, or another caller is
    /// using the helpers.
    /// </summary>
    public void Split(long units, int threads, Action<long, long> run)
    {
        int parts = (int)Math.Min(units, threads);
        if (parts <= 1 || !TryRun(parts, part => run(units * part / parts, units * (part + 1) / parts)))
        {
            run(0, units);
        }
    }

    /// <summary>
    /// Runs <c>work(0)</c> … <c>work(parts - 1)</c>, part 0 on the calling thread and the others on helpers, and
    /// returns when all are done; false (nothing run) when another caller is using the helpers.
    /// </summary>
    private bool TryRun(int parts, Action<int> work)
    {
        if (!Monitor.TryEnter(_callGate))
        {
            return false;
        }

        try
        {
            while (_helpers.Count < parts - 1)
            {
                int index = _helpers.Count;
                var thread = new Thread(() => HelperLoop(index)) { IsBackground = true, Name = "NerClassify projection helper" };
                _helpers.Add(thread);
                thread.Start();
            }

            _work = work;
            _parts = parts;
            _failure = null;
            Volatile.Write(ref _remaining, parts - 1);
            lock (_sleepGate)
            {
                _generation++;
                Monitor.PulseAll(_sleepGate);
            }

            work(0);
            var spinner = default(SpinWait);
            while (Volatile.Read(ref _remaining) > 0)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            _work = null;
            if (_failure is { } failure)
            {
                throw new InvalidOperationException("A projection helper thread failed.", failure);
            }

            return true;
        }
        finally
        {
            Monitor.Exit(_callGate);
        }
    }

    private void HelperLoop(int index)
    {
        int seen = 0;
        while (true)
        {
            long idleSince = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _generation) == seen)
            {
                if (Stopwatch.GetTimestamp() - idleSince < SpinTicks)
                {
                    Thread.SpinWait(20);
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
            int part = index + 1;
            if (part < _parts)
            {
                try
                {
                    _work!(part);
                }
                catch (Exception exception)
                {
                    _failure = exception;
                }
                finally
                {
                    Interlocked.Decrement(ref _remaining);
                }
            }
        }
    }
}
