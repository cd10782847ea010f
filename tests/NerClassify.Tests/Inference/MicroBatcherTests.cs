using System.Collections.Concurrent;
using System.Diagnostics;
using FluentAssertions;
using NerClassify.Inference;

namespace NerClassify.Tests.Inference;

public sealed class MicroBatcherTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EnqueueAsync_64ConcurrentCallers_EachGetsItsOwnResult()
    {
        var sizes = new ConcurrentBag<int>();
        using var batcher = new MicroBatcher<int, string>(
            requests => { sizes.Add(requests.Count); return requests.Select(r => $"result {r}").ToArray(); },
            maxBatchSize: 8,
            maxWait: TimeSpan.FromMilliseconds(20));

        Task<string>[] calls = Enumerable.Range(0, 64).Select(i => Task.Run(() => batcher.EnqueueAsync(i))).ToArray();
        string[] results = await Task.WhenAll(calls).WaitAsync(Patience);

        results.Should().Equal(Enumerable.Range(0, 64).Select(i => $"result {i}"));
        sizes.Sum().Should().Be(64);
        sizes.Should().OnlyContain(s => s >= 1 && s <= 8);
        sizes.Should().Contain(s => s > 1, "concurrent callers share forward passes");
    }

    [Fact]
    public async Task EnqueueAsync_QueueLongerThanMaxBatchSize_SplitsIntoBatchesOfAtMostMax()
    {
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        var sizes = new ConcurrentQueue<int>();
        using var batcher = new MicroBatcher<int, int>(
            requests => { entered.Set(); gate.Wait(Patience); sizes.Enqueue(requests.Count); return requests.ToArray(); },
            maxBatchSize: 8,
            maxWait: TimeSpan.Zero);

        Task<int> first = batcher.EnqueueAsync(-1);
        entered.Wait(Patience).Should().BeTrue("the worker holds the first batch at the gate");
        Task<int>[] queued = Enumerable.Range(0, 19).Select(i => batcher.EnqueueAsync(i)).ToArray();
        gate.Set();
        int[] results = await Task.WhenAll(queued).WaitAsync(Patience);

        (await first).Should().Be(-1);
        results.Should().Equal(Enumerable.Range(0, 19));
        sizes.Should().Equal(1, 8, 8, 3);
    }

    [Fact]
    public async Task EnqueueAsync_LoneCaller_WaitsAtMostMaxWaitForCompany()
    {
        TimeSpan maxWait = TimeSpan.FromMilliseconds(200);
        using var batcher = new MicroBatcher<int, int>(requests => requests.ToArray(), maxBatchSize: 64, maxWait);

        var clock = Stopwatch.StartNew();
        int result = await batcher.EnqueueAsync(7).WaitAsync(Patience);
        clock.Stop();

        result.Should().Be(7);
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(maxWait - TimeSpan.FromMilliseconds(20), "a lone request waits for company");
        clock.Elapsed.Should().BeLessThan(maxWait + TimeSpan.FromSeconds(3), "it must not wait for a full batch");
    }

    [Fact]
    public async Task EnqueueAsync_OneCallerCancelledWhileQueued_IsLeftOutAndOthersGetTheirResults()
    {
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        var batches = new ConcurrentQueue<int[]>();
        using var batcher = new MicroBatcher<int, int>(
            requests => { entered.Set(); gate.Wait(Patience); batches.Enqueue(requests.ToArray()); return requests.Select(r => r * 10).ToArray(); },
            maxBatchSize: 8,
            maxWait: TimeSpan.Zero);
        Task<int> first = batcher.EnqueueAsync(0);
        entered.Wait(Patience).Should().BeTrue();

        using var cancel = new CancellationTokenSource();
        Task<int> a = batcher.EnqueueAsync(1);
        Task<int> b = batcher.EnqueueAsync(2, cancel.Token);
        Task<int> c = batcher.EnqueueAsync(3);
        cancel.Cancel();
        gate.Set();

        Func<Task> cancelled = () => b.WaitAsync(Patience);
        await cancelled.Should().ThrowAsync<OperationCanceledException>();
        (await Task.WhenAll(first, a, c).WaitAsync(Patience)).Should().Equal(0, 10, 30);
        batches.Should().ContainEquivalentOf(new[] { 1, 3 }, o => o.WithStrictOrdering());
        batches.SelectMany(x => x).Should().NotContain(2);
    }

    [Fact]
    public async Task EnqueueAsync_BatchFunctionThrows_OnlyThatBatchsCallersGetTheException()
    {
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        using var batcher = new MicroBatcher<string, string>(
            requests =>
            {
                entered.Set();
                gate.Wait(Patience);
                return requests.Contains("bad") ? throw new InvalidOperationException("bad input in batch") : requests.Select(r => r.ToUpperInvariant()).ToArray();
            },
            maxBatchSize: 2,
            maxWait: TimeSpan.Zero);
        Task<string> first = batcher.EnqueueAsync("first");
        entered.Wait(Patience).Should().BeTrue();

        Task<string> bad = batcher.EnqueueAsync("bad");
        Task<string> sameBatch = batcher.EnqueueAsync("a");
        Task<string> nextB = batcher.EnqueueAsync("b");
        Task<string> nextC = batcher.EnqueueAsync("c");
        gate.Set();

        (await first.WaitAsync(Patience)).Should().Be("FIRST");
        await ((Func<Task>)(() => bad.WaitAsync(Patience))).Should().ThrowAsync<InvalidOperationException>().WithMessage("bad input in batch");
        await ((Func<Task>)(() => sameBatch.WaitAsync(Patience))).Should().ThrowAsync<InvalidOperationException>().WithMessage("bad input in batch");
        (await Task.WhenAll(nextB, nextC).WaitAsync(Patience)).Should().Equal("B", "C");
    }

    [Fact]
    public async Task EnqueueAsync_BatchFunctionReturnsTooFewResults_FailsThatBatchNamingTheCounts()
    {
        using var batcher = new MicroBatcher<int, int>(requests => requests.Skip(1).ToArray(), maxBatchSize: 4, maxWait: TimeSpan.Zero);

        Func<Task> act = () => batcher.EnqueueAsync(1).WaitAsync(Patience);

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*0 results for 1 requests*");
    }

    [Fact]
    public async Task Dispose_WithRunningAndQueuedCalls_FinishesTheRunningBatchAndFailsTheQueued()
    {
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        var batcher = new MicroBatcher<int, int>(requests => { entered.Set(); gate.Wait(Patience); return requests.ToArray(); }, maxBatchSize: 1, maxWait: TimeSpan.Zero);
        Task<int> running = batcher.EnqueueAsync(1);
        entered.Wait(Patience).Should().BeTrue();
        Task<int>[] queued = [batcher.EnqueueAsync(2), batcher.EnqueueAsync(3), batcher.EnqueueAsync(4)];

        Task disposing = Task.Run(batcher.Dispose);
        for (int i = 0; i < 6000 && !Disposed(batcher); i++)
        {
            await Task.Delay(5);
        }

        disposing.IsCompleted.Should().BeFalse("Dispose waits for the running batch");
        gate.Set();
        await disposing.WaitAsync(Patience);

        (await running.WaitAsync(Patience)).Should().Be(1);
        foreach (Task<int> call in queued)
        {
            await ((Func<Task>)(() => call.WaitAsync(Patience))).Should().ThrowAsync<ObjectDisposedException>();
        }

        Action afterDispose = () => batcher.EnqueueAsync(5);
        afterDispose.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task EnqueueAsync_CostsOverTheBudget_SplitsBatchesByCostNotCount()
    {
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        var batches = new ConcurrentQueue<int[]>();
        using var batcher = new MicroBatcher<int, int>(
            (requests, _) => { entered.Set(); gate.Wait(Patience); batches.Enqueue(requests.ToArray()); return requests.ToArray(); },
            cost: r => r,
            maxBatchSize: 32,
            maxBatchCost: 100,
            maxWait: TimeSpan.Zero);
        Task<int> first = batcher.EnqueueAsync(1);
        entered.Wait(Patience).Should().BeTrue();

        // Five callers queued together are taken cheapest first (each one's finish tag is its cost): 5 + 30 + 40 fit in
        // 100 and 60 does not join them; 150 is over the budget on its own and runs alone.
        Task<int>[] queued = [batcher.EnqueueAsync(60), batcher.EnqueueAsync(30), batcher.EnqueueAsync(40), batcher.EnqueueAsync(150), batcher.EnqueueAsync(5)];
        gate.Set();
        await Task.WhenAll(queued).WaitAsync(Patience);
        await first;

        batches.Should().BeEquivalentTo(new[] { new[] { 1 }, new[] { 5, 30, 40 }, new[] { 60 }, new[] { 150 } }, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task EnqueueManyAsync_ShortCallBehindALongOne_RunsInTheNextBatchNotAfterTheLongOne()
    {
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        var order = new ConcurrentQueue<string>();
        using var batcher = new MicroBatcher<string, string>(
            (requests, _) => { entered.Set(); gate.Wait(Patience); foreach (string r in requests) { order.Enqueue(r); } return requests.ToArray(); },
            cost: r => r.Length,
            maxBatchSize: 64,
            maxBatchCost: 20,
            maxWait: TimeSpan.Zero);
        Task<string> first = batcher.EnqueueAsync("first");
        entered.Wait(Patience).Should().BeTrue();

        // One long call of 64 texts of cost 10 (two per batch), then a short call.
        string[] longTexts = Enumerable.Range(0, 64).Select(i => $"long-{i:D5}").ToArray();
        Task<string[]> longCall = batcher.EnqueueManyAsync(longTexts);
        Task<string> shortCall = batcher.EnqueueAsync("short");
        gate.Set();
        await Task.WhenAll(longCall, shortCall, first).WaitAsync(Patience);

        (await longCall).Should().Equal(longTexts, "results come back in request order");
        order.ToList().IndexOf("short").Should().BeLessThan(4, "the short call takes the next batch instead of waiting for 64 long texts");
    }

    [Fact]
    public async Task EnqueueAsync_LongCallAmongAStreamOfShortOnes_IsNotStarved()
    {
        using var batcher = new MicroBatcher<string, string>(
            (requests, _) => { Thread.Sleep(1); return requests.ToArray(); },
            cost: r => r.Length,
            maxBatchSize: 64,
            maxBatchCost: 10,
            maxWait: TimeSpan.Zero);
        using var stop = new CancellationTokenSource();
        int shortDone = 0;

        // Eight short callers keep the queue from ever running dry; shortest-first would never reach the long call.
        Task[] shortCallers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await batcher.EnqueueAsync("s");
                Interlocked.Increment(ref shortDone);
            }
        })).ToArray();
        while (Volatile.Read(ref shortDone) < 50)
        {
            await Task.Delay(5);
        }

        Task<string> longCall = batcher.EnqueueAsync("long-long!");
        string result = await longCall.WaitAsync(Patience);
        int shortWhenLongDone = Volatile.Read(ref shortDone);
        stop.Cancel();
        await Task.WhenAll(shortCallers).WaitAsync(Patience);

        result.Should().Be("long-long!");
        shortWhenLongDone.Should().BeGreaterThan(50, "the short callers kept going while the long call waited its turn");
    }

    [Fact]
    public async Task EnqueueManyAsync_EveryCallerOfARunningBatchCancels_TheBatchTokenIsCancelled()
    {
        using var entered = new ManualResetEventSlim();
        var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var batcher = new MicroBatcher<int, int>(
            (requests, token) =>
            {
                entered.Set();
                stopped.TrySetResult(token.WaitHandle.WaitOne(Patience));
                token.ThrowIfCancellationRequested();
                return requests.ToArray();
            },
            cost: _ => 1,
            maxBatchSize: 4,
            maxBatchCost: 100,
            maxWait: TimeSpan.FromSeconds(5)); // the batch starts when all four requests are in
        using var cancelA = new CancellationTokenSource();
        using var cancelB = new CancellationTokenSource();
        Task<int[]> a = batcher.EnqueueManyAsync([1, 2, 3], cancelA.Token);
        Task<int> b = batcher.EnqueueAsync(4, cancelB.Token);
        entered.Wait(Patience).Should().BeTrue();

        cancelA.Cancel();
        stopped.Task.IsCompleted.Should().BeFalse("one caller of the batch is still waiting");
        cancelB.Cancel();

        (await stopped.Task.WaitAsync(Patience)).Should().BeTrue("the batch stops once nobody waits for it");
        await ((Func<Task>)(() => a.WaitAsync(Patience))).Should().ThrowAsync<OperationCanceledException>();
        await ((Func<Task>)(() => b.WaitAsync(Patience))).Should().ThrowAsync<OperationCanceledException>();
    }

    private static bool Disposed(MicroBatcher<int, int> batcher)
    {
        try
        {
            // A pre-cancelled call never queues: only the disposed check can throw.
            batcher.EnqueueAsync(0, new CancellationToken(canceled: true));
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }
}
