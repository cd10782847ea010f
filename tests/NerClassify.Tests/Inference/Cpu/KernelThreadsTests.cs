using System.Collections.Concurrent;
using FluentAssertions;
using NerClassify.Inference.Cpu;

namespace NerClassify.Tests.Inference.Cpu;

public sealed class KernelThreadsTests
{
    [Theory]
    [InlineData(1, 2)]
    [InlineData(7, 2)] // fewer units than chunks: one unit a chunk
    [InlineData(12, 2)]
    [InlineData(37, 2)] // chunks of unequal size
    [InlineData(1000, 3)]
    [InlineData(5, 1)] // one thread: one range on the caller
    public void Split_CoversEveryUnitExactlyOnce_WithRangesInOrderAndNoneEmpty(long units, int threads)
    {
        var counts = new int[units];
        var ranges = new ConcurrentBag<(long Start, long End)>();

        KernelThreads.Shared.Split(units, threads, (start, end) =>
        {
            ranges.Add((start, end));
            for (long unit = start; unit < end; unit++)
            {
                Interlocked.Increment(ref counts[unit]);
            }
        });

        counts.Should().OnlyContain(count => count == 1);
        ranges.Should().OnlyContain(range => range.Start < range.End);
        ranges.Count.Should().BeLessThanOrEqualTo((int)Math.Min(units, threads * KernelThreads.ChunksPerThread));
    }

    [Fact]
    public void Split_OneThread_RunsOneRangeOnTheCallingThread()
    {
        int caller = Environment.CurrentManagedThreadId;
        var seen = new List<(long, long, int)>();

        KernelThreads.Shared.Split(10, 1, (start, end) => seen.Add((start, end, Environment.CurrentManagedThreadId)));

        seen.Should().Equal((0L, 10L, caller));
    }

    [Fact]
    public void Split_ARangeThrows_RethrowsItsExceptionAfterTheOthersFinish_AndTheNextCallWorks()
    {
        int finished = 0;
        Action failing = () => KernelThreads.Shared.Split(64, 2, (start, end) =>
        {
            if (start == 0)
            {
                throw new InvalidDataException("range 0 failed");
            }

            Interlocked.Add(ref finished, (int)(end - start));
        });

        failing.Should().Throw<InvalidDataException>().WithMessage("range 0 failed");
        finished.Should().Be(64 - (64 / (2 * KernelThreads.ChunksPerThread)), "every other chunk still ran to the end");

        long total = 0;
        KernelThreads.Shared.Split(64, 2, (start, end) => Interlocked.Add(ref total, end - start));
        total.Should().Be(64);
    }

    [Fact]
    public void Split_AHelperIsHeldUp_TheCallerRunsTheRemainingChunksInsteadOfWaiting()
    {
        // A chunk run by a helper waits until the caller has covered 12 of the 16 units. The caller claims chunks
        // until none is left, so it gets there; with a fixed half for each thread it would stop at 8 and wait for
        // the helper, which would give up after 10 seconds and fail the call.
        const long units = 16;
        int caller = Environment.CurrentManagedThreadId;
        long coveredByCaller = 0;

        KernelThreads.Shared.Split(units, 2, (start, end) =>
        {
            if (Environment.CurrentManagedThreadId == caller)
            {
                Interlocked.Add(ref coveredByCaller, end - start);
                return;
            }

            if (!SpinWait.SpinUntil(() => Volatile.Read(ref coveredByCaller) >= 12, TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException("the caller waited for the helper's share instead of taking it");
            }
        });

        coveredByCaller.Should().BeGreaterThanOrEqualTo(12);
    }

    [Fact]
    public void Split_ConcurrentCallers_EachCoversItsOwnUnits()
    {
        const int callers = 4;
        var totals = new long[callers];

        Parallel.For(0, callers, new ParallelOptions { MaxDegreeOfParallelism = callers }, caller =>
        {
            for (int repeat = 0; repeat < 200; repeat++)
            {
                long units = 17 + caller;
                long covered = 0;
                KernelThreads.Shared.Split(units, 2, (start, end) => Interlocked.Add(ref covered, end - start));
                covered.Should().Be(units);
                totals[caller] += covered;
            }
        });

        totals.Should().Equal(Enumerable.Range(0, callers).Select(caller => 200L * (17 + caller)));
    }
}
