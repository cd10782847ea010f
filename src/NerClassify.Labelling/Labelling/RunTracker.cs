namespace NerClassify.Labelling;

/// <summary>Counts a run's finished sentences, cache hits, unlabelled sentences and requests, and reports progress one report at a time.</summary>
internal sealed class RunTracker(int total, IProgress<LabellingProgress>? progress)
{
    private readonly Lock _lock = new();
    private int _done;
    private int _cacheHits;
    private int _unlabelled;
    private int _clientCalls;

    public int CacheHits => Volatile.Read(ref _cacheHits);

    public int Unlabelled => Volatile.Read(ref _unlabelled);

    public int ClientCalls => Volatile.Read(ref _clientCalls);

    public void Called() => Interlocked.Increment(ref _clientCalls);

    /// <summary>Counts one finished sentence and reports.</summary>
    public void Finished(bool fromCache, bool labelled)
    {
        lock (_lock)
        {
            _done++;
            if (fromCache)
            {
                _cacheHits++;
            }

            if (!labelled)
            {
                _unlabelled++;
            }

            // Reporting under the lock keeps reports in order for synchronous IProgress implementations.
            progress?.Report(new LabellingProgress(_done, total, _cacheHits, _unlabelled));
        }
    }

    /// <summary>Reports the current state without counting anything.</summary>
    public void Report()
    {
        lock (_lock)
        {
            progress?.Report(new LabellingProgress(_done, total, _cacheHits, _unlabelled));
        }
    }
}
