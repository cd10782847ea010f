using System.Threading.Channels;

namespace NerClassify.Inference;

/// <summary>
/// Dynamic micro-batching, as Triton's dynamic batcher does it: concurrent requests wait in a queue, and one worker
/// takes up to <c>maxBatchSize</c> of them and at most <c>maxBatchCost</c> of their cost (tokens), waiting at most
/// <c>maxWait</c> after the first one arrives, runs them as one batch, and hands each caller exactly its own result.
/// </summary>
/// <remarks>
/// <para>
/// Scheduling is fair between callers, so that one large call cannot hold up small ones (self-clocked fair queuing):
/// every request of a call (one <see cref="EnqueueAsync"/>, or all the requests of one <see cref="EnqueueManyAsync"/>)
/// gets a finish tag, the later of the current virtual time and the call's previous tag, plus its cost; batches take
/// the queued requests in tag order. A short call that arrives behind a long one therefore runs in the next batch,
/// while the long one keeps its place against later arrivals and cannot starve: the virtual time grows with every
/// request served, so a waiting request's tag is eventually the smallest.
/// </para>
/// <para>
/// A caller cancelled before its batch starts is left out of it and gets <see cref="OperationCanceledException"/>;
/// the others in the queue are not affected. A caller cancelled while its batch runs gets the exception at once and
/// its result is dropped; when every caller of a running batch has gone, the batch function's token is cancelled so
/// that it stops at its next check. An exception from the batch function reaches the callers of that batch only.
/// <see cref="Dispose"/> lets a running batch finish and fails every call still queued with
/// <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
/// <typeparam name="TRequest">One caller's input.</typeparam>
/// <typeparam name="TResult">One caller's output.</typeparam>
internal sealed class MicroBatcher<TRequest, TResult> : IDisposable
{
    private readonly Func<IReadOnlyList<TRequest>, CancellationToken, IReadOnlyList<TResult>> _runBatch;
    private readonly Func<TRequest, int> _cost;
    private readonly int _maxBatchSize;
    private readonly long _maxBatchCost;
    private readonly TimeSpan _maxWait;
    private readonly Action<int>? _batchRan;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;

    // Owned by the worker: requests read from the channel, by finish tag, and the virtual time.
    private readonly PriorityQueue<Pending, (double Tag, long Order)> _backlog = new();
    private double _virtualTime;
    private long _order;
    private int _disposed;

    /// <summary>Starts the worker for requests of cost 1 and no cost limit.</summary>
    /// <param name="runBatch">Runs one batch synchronously and returns one result per request, in request order.</param>
    /// <param name="maxBatchSize">The most requests in one batch.</param>
    /// <param name="maxWait">The longest time to wait for more requests after the first one of a batch arrives; zero takes only what is already queued.</param>
    /// <param name="batchRan">Called with the size of every batch that runs, for metrics; null for none.</param>
    public MicroBatcher(Func<IReadOnlyList<TRequest>, IReadOnlyList<TResult>> runBatch, int maxBatchSize, TimeSpan maxWait, Action<int>? batchRan = null)
        : this((requests, _) => runBatch(requests), static _ => 1, maxBatchSize, long.MaxValue, maxWait, batchRan)
    {
        ArgumentNullException.ThrowIfNull(runBatch);
    }

    /// <summary>Starts the worker.</summary>
    /// <param name="runBatch">
    /// Runs one batch synchronously and returns one result per request, in request order. Its token is cancelled when
    /// every caller of the batch has been cancelled: it should stop between steps then.
    /// </param>
    /// <param name="cost">The cost of one request (its tokens); at least 1.</param>
    /// <param name="maxBatchSize">The most requests in one batch.</param>
    /// <param name="maxBatchCost">The most cost in one batch; a single request above it runs alone.</param>
    /// <param name="maxWait">The longest time to wait for more requests after the first one of a batch arrives; zero takes only what is already queued.</param>
    /// <param name="batchRan">Called with the size of every batch that runs, for metrics; null for none.</param>
    public MicroBatcher(
        Func<IReadOnlyList<TRequest>, CancellationToken, IReadOnlyList<TResult>> runBatch,
        Func<TRequest, int> cost,
        int maxBatchSize,
        long maxBatchCost,
        TimeSpan maxWait,
        Action<int>? batchRan = null)
    {
        ArgumentNullException.ThrowIfNull(runBatch);
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchCost, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        _runBatch = runBatch;
        _cost = cost;
        _maxBatchSize = maxBatchSize;
        _maxBatchCost = maxBatchCost;
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

        Pending pending = Queue(request, new Caller(), cancellationToken);
        return pending.Completion.Task;
    }

    /// <summary>
    /// Queues several requests as one caller: they are scheduled fairly against other callers (not one each), may run
    /// in different batches, and complete together with the results in request order.
    /// </summary>
    /// <param name="requests">The inputs.</param>
    /// <param name="cancellationToken">Cancels this call: its requests still queued are left out.</param>
    /// <exception cref="ObjectDisposedException">The batcher is disposed (thrown, or set on the task when disposal races the call).</exception>
    public Task<TResult[]> EnqueueManyAsync(IReadOnlyList<TRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult[]>(cancellationToken);
        }

        var caller = new Caller();
        var calls = new Task<TResult>[requests.Count];
        for (int i = 0; i < calls.Length; i++)
        {
            calls[i] = Queue(requests[i], caller, cancellationToken).Completion.Task;
        }

        return Task.WhenAll(calls);
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

        while (_backlog.TryDequeue(out Pending? pending, out _))
        {
            pending.Fail(new ObjectDisposedException(GetType().FullName));
        }

        _stopping.Dispose();
    }

    private Pending Queue(TRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var pending = new Pending(request, caller, Math.Max(1, _cost(request)));
        if (cancellationToken.CanBeCanceled)
        {
            pending.Registration = cancellationToken.Register(static (state, token) => ((Pending)state!).Cancel(token), pending);
        }

        if (!_queue.Writer.TryWrite(pending))
        {
            pending.Fail(new ObjectDisposedException(GetType().FullName));
        }

        return pending;
    }

    private async Task WorkAsync()
    {
        ChannelReader<Pending> reader = _queue.Reader;
        try
        {
            while (true)
            {
                Drain(reader);
                if (_backlog.Count == 0)
                {
                    if (!await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
                    {
                        return;
                    }

                    Drain(reader);
                }

                // Unless the backlog already fills a batch, wait up to maxWait for company.
                await WaitForCompanyAsync(reader, DateTime.UtcNow + _maxWait).ConfigureAwait(false);

                List<Pending> batch = Take();
                if (Volatile.Read(ref _disposed) != 0)
                {
                    batch.ForEach(p => p.Fail(new ObjectDisposedException(GetType().FullName)));
                    return;
                }

                Run(batch);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed while waiting: Dispose fails what is left in the queue and the backlog.
        }
    }

    /// <summary>Moves every queued request into the backlog, tagging it for fair order; cancelled ones are dropped.</summary>
    private void Drain(ChannelReader<Pending> reader)
    {
        while (reader.TryRead(out Pending? pending))
        {
            if (pending.Completion.Task.IsCompleted)
            {
                continue;
            }

            double start = Math.Max(_virtualTime, pending.Caller.LastTag);
            double tag = start + pending.Cost;
            pending.Caller.LastTag = tag;
            _backlog.Enqueue(pending, (tag, _order++));
        }
    }

    /// <summary>Waits until the backlog fills a batch, the wait bound passes, or the batcher stops.</summary>
    private async Task WaitForCompanyAsync(ChannelReader<Pending> reader, DateTime deadline)
    {
        while (!BacklogFillsABatch())
        {
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
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_stopping.IsCancellationRequested)
            {
                return;
            }

            Drain(reader);
        }
    }

    private bool BacklogFillsABatch()
    {
        if (_backlog.Count >= _maxBatchSize)
        {
            return true;
        }

        long cost = 0;
        foreach ((Pending pending, _) in _backlog.UnorderedItems)
        {
            cost += pending.Cost;
            if (cost >= _maxBatchCost)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Takes the next batch in tag order: the first live request always, then more while they fit both limits.</summary>
    private List<Pending> Take()
    {
        var batch = new List<Pending>();
        long cost = 0;
        while (batch.Count < _maxBatchSize && _backlog.TryPeek(out Pending? next, out (double Tag, long Order) priority))
        {
            if (next.Completion.Task.IsCompleted)
            {
                // Cancelled while queued: it takes no place in the batch.
                _backlog.Dequeue();
                continue;
            }

            if (batch.Count > 0 && cost + next.Cost > _maxBatchCost)
            {
                break;
            }

            _backlog.Dequeue();
            _virtualTime = Math.Max(_virtualTime, priority.Tag);
            cost += next.Cost;
            batch.Add(next);
        }

        return batch;
    }

    private void Run(List<Pending> batch)
    {
        // Callers cancelled during the wait are dropped: the batch holds only those still waiting.
        Pending[] live = batch.Where(p => !p.Completion.Task.IsCompleted).ToArray();
        if (live.Length == 0)
        {
            return;
        }

        var running = new RunningBatch(live.Length);
        foreach (Pending pending in live)
        {
            pending.Join(running);
        }

        IReadOnlyList<TResult> results;
        try
        {
            _batchRan?.Invoke(live.Length);
            results = _runBatch(live.Select(p => p.Request).ToArray(), running.Token);
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

    /// <summary>One caller's place in the fair order: the finish tag of its last queued request (worker-owned).</summary>
    private sealed class Caller
    {
        public double LastTag { get; set; }
    }

    /// <summary>A batch being computed: its token is cancelled once every caller in it has gone.</summary>
    private sealed class RunningBatch(int callers)
    {
        // Never disposed: a source without timers or linked tokens holds nothing to free, and a late caller's
        // cancellation may still reach it after the batch ends.
        private readonly CancellationTokenSource _allGone = new();
        private int _waiting = callers;

        public CancellationToken Token => _allGone.Token;

        public void CallerLeft()
        {
            if (Interlocked.Decrement(ref _waiting) == 0)
            {
                _allGone.Cancel();
            }
        }
    }

    private sealed class Pending(TRequest request, Caller caller, int cost)
    {
        private RunningBatch? _batch;
        private int _left;

        public TRequest Request { get; } = request;

        public Caller Caller { get; } = caller;

        public int Cost { get; } = cost;

        // Continuations run on the thread pool, never inline on the worker, so a slow caller cannot stall the batch loop.
        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>Marks this request as part of a running batch; one already cancelled leaves it at once.</summary>
        public void Join(RunningBatch batch)
        {
            Volatile.Write(ref _batch, batch);
            if (Completion.Task.IsCanceled)
            {
                Leave();
            }
        }

        public void Cancel(CancellationToken token)
        {
            if (Completion.TrySetCanceled(token))
            {
                Leave();
            }
        }

        public void Fail(Exception exception)
        {
            Registration.Dispose();
            Completion.TrySetException(exception);
        }

        private void Leave()
        {
            // Counted once, whether the cancellation or Join sees the batch first.
            if (Volatile.Read(ref _batch) is { } batch && Interlocked.Exchange(ref _left, 1) == 0)
            {
                batch.CallerLeft();
            }
        }
    }
}
