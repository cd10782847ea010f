using System.Threading.Channels;

namespace NerClassify.Inference;

/// <summary>
/// Dynamic micro-batching, as Triton's dynamic batcher does it: concurrent single requests wait in a queue, and
/// one worker takes up to <c>maxBatchSize</c> of them, waiting at most <c>maxWait</c> after the first one
/// arrives, runs them as one batch, and hands each caller exactly its own result.
/// </summary>
/// <remarks>
/// A caller cancelled before its batch starts is left out of it and gets <see cref="OperationCanceledException"/>;
/// the others in the queue are not affected. A caller cancelled while its batch runs gets the exception at once and
/// its result is dropped. An exception from the batch function reaches the callers of that batch only.
/// <see cref="Dispose"/> lets a running batch finish and fails every call still queued with
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
/// <typeparam name="TRequest">One caller's input.</typeparam>
/// <typeparam name="TResult">One caller's output.</typeparam>
internal sealed class MicroBatcher<TRequest, TResult> : IDisposable
{
    private readonly Func<IReadOnlyList<TRequest>, IReadOnlyList<TResult>> _runBatch;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxWait;
    private readonly Action<int>? _batchRan;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private int _disposed;

    /// <summary>Starts the worker.</summary>
    /// <param name="runBatch">Runs one batch synchronously and returns one result per request, in request order.</param>
    /// <param name="maxBatchSize">The most requests in one batch.</param>
    /// <param name="maxWait">The longest time to wait for more requests after the first one of a batch arrives; zero takes only what is already queued.</param>
    /// <param name="batchRan">Called with the size of every batch that runs, for metrics; null for none.</param>
    public MicroBatcher(Func<IReadOnlyList<TRequest>, IReadOnlyList<TResult>> runBatch, int maxBatchSize, TimeSpan maxWait, Action<int>? batchRan = null)
    {
        ArgumentNullException.ThrowIfNull(runBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        _runBatch = runBatch;
        _maxBatchSize = maxBatchSize;
        _maxWait = maxWait;
        _batchRan = batchRan;
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Queues one request and completes with its own result.</summary>
    /// <param name="request">The input.</param>
    /// <param name="cancellationToken">Cancels this call only.</param>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (thrown, or set on the task when disposal races the call).</exception>
    public Task<TResult> EnqueueAsync(TRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        var pending = new Pending(request);
        if (cancellationToken.CanBeCanceled)
        {
            pending.Registration = cancellationToken.Register(static (state, token) => ((Pending)state!).Completion.TrySetCanceled(token), pending);
        }

        if (!_queue.Writer.TryWrite(pending))
        {
            pending.Fail(new ObjectDisposedException(GetType().FullName));
        }

        return pending.Completion.Task;
    }

    /// <summary>Stops the worker after the batch it is running and fails the calls still queued.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        _stopping.Cancel();
        try
        {
            _worker.Wait();
        }
        catch (AggregateException)
        {
            // The worker never faults (every batch failure goes to its callers); nothing to report here.
        }

        while (_queue.Reader.TryRead(out Pending? pending))
        {
            pending.Fail(new ObjectDisposedException(GetType().FullName));
        }

        _stopping.Dispose();
    }

    private async Task WorkAsync()
    {
        ChannelReader<Pending> reader = _queue.Reader;
        var batch = new List<Pending>(_maxBatchSize);
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                await GatherAsync(reader, batch).ConfigureAwait(false);
                if (Volatile.Read(ref _disposed) != 0)
                {
                    batch.ForEach(p => p.Fail(new ObjectDisposedException(GetType().FullName)));
                    return;
                }

                Run(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed while waiting: Dispose fails what is left in the queue.
        }
    }

    /// <summary>Fills <paramref name="batch"/> with live requests until it is full, the wait bound passes, or the batcher stops.</summary>
    private async Task GatherAsync(ChannelReader<Pending> reader, List<Pending> batch)
    {
        DateTime deadline = default;
        while (batch.Count < _maxBatchSize)
        {
            if (reader.TryRead(out Pending? pending))
            {
                // A caller cancelled while queued is left out and takes no place in the batch.
                if (!pending.Completion.Task.IsCompleted)
                {
                    if (batch.Count == 0)
                    {
                        deadline = DateTime.UtcNow + _maxWait;
                    }

                    batch.Add(pending);
                }

                continue;
            }

            if (batch.Count == 0)
            {
                // Everything queued was cancelled: wait for a new first request (or stop).
                if (!await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            TimeSpan left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(left);
            try
            {
                if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Run(List<Pending> batch)
    {
        // Callers cancelled during the wait are dropped: the batch holds only those still waiting.
        Pending[] live = batch.Where(p => !p.Completion.Task.IsCompleted).ToArray();
        if (live.Length == 0)
        {
            return;
        }

        IReadOnlyList<TResult> results;
        try
        {
            _batchRan?.Invoke(live.Length);
            results = _runBatch(live.Select(p => p.Request).ToArray());
            if (results is null || results.Count != live.Length)
            {
                throw new InvalidOperationException($"The batch function returned {results?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"} results for {live.Length} requests.");
            }
        }
        catch (Exception exception)
        {
            foreach (Pending pending in live)
            {
                pending.Fail(exception);
            }

            return;
        }

        for (int i = 0; i < live.Length; i++)
        {
            live[i].Registration.Dispose();
            live[i].Completion.TrySetResult(results[i]);
        }
    }

    private sealed class Pending(TRequest request)
    {
        public TRequest Request { get; } = request;

        // Continuations run on the thread pool, never inline on the worker, so a slow caller cannot stall the batch loop.
        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        public void Fail(Exception exception)
        {
            Registration.Dispose();
            Completion.TrySetException(exception);
        }
    }
}
