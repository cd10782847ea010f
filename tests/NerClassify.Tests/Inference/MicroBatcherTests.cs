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
