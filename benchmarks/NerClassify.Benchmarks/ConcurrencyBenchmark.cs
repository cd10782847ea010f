using System.Diagnostics;
using System.Globalization;
using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Pretrained;

namespace NerClassify.Benchmarks;

/// <summary>
/// `--concurrency [requests]`: many concurrent single-text callers of one <see cref="NerClassifier"/> (MiniLM
/// multitask), 1, 4, 16 and 64 callers, each backend, with and without micro-batching: throughput and p50/p99
/// latency per call. Then `Predict(string)` alone: p50/p99 over the same number of sequential calls.
/// </summary>
/// <remarks>
/// Unbatched callers call the synchronous <c>Predict</c> from their own thread-pool task (the model is thread-safe);
/// batched callers await <c>PredictAsync</c>. The texts are 12 to 30 words, drawn with a fixed seed.
/// </remarks>
internal static class ConcurrencyBenchmark
{
    private static readonly int[] Callers = [1, 4, 16, 64];

    private static readonly string[] Words =
    [
        "the", "minister", "said", "on", "Monday", "that", "talks", "in", "Geneva", "with", "officials", "from", "Germany",
        "and", "France", "would", "resume", "next", "week", "shares", "of", "Siemens", "rose", "percent", "after", "Reuters",
        "reported", "John", "Smith", "scored", "twice", "for", "Arsenal", "against", "Chelsea", "at", "the", "stadium", ".",
    ];

    public static async Task RunAsync(int requests)
    {
        string[] texts = Texts(count: 256, seed: 11);
        var compute = new ComputeOptions { Device = DeviceKind.Cpu, Threads = BenchmarkInputs.Threads };
        Console.WriteLine($"MiniLM multitask, {BenchmarkInputs.Threads} threads, {requests} calls per row (after {Math.Min(32, requests)} warm-up calls); times in ms per call.");
        Console.WriteLine("| backend | batching | callers | throughput (texts/s) | p50 | p99 |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (BenchmarkBackend backend in new[] { BenchmarkBackend.TorchSharp, BenchmarkBackend.OnnxRuntime })
        {
            foreach (bool batching in new[] { false, true })
            {
                var options = new PredictorOptions
                {
                    Compute = compute,
                    MicroBatching = new MicroBatchingOptions { Enabled = batching, MaxBatchSize = 32, MaxWait = TimeSpan.FromMilliseconds(2) },
                };
                using INerPredictor classifier = BenchmarkPredictors.Create(backend, options);
                foreach (int callers in Callers)
                {
                    await RunCallersAsync(classifier, texts, Math.Min(32, requests), callers, batching).ConfigureAwait(false);
                    (double seconds, double[] latencies) = await RunCallersAsync(classifier, texts, requests, callers, batching).ConfigureAwait(false);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {backend} | {(batching ? "on" : "off")} | {callers} | {requests / seconds:F1} | {Percentile(latencies, 0.50):F1} | {Percentile(latencies, 0.99):F1} |"));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("Predict(string), one caller:");
        foreach (BenchmarkBackend backend in new[] { BenchmarkBackend.TorchSharp, BenchmarkBackend.OnnxRuntime })
        {
            using INerPredictor classifier = BenchmarkPredictors.Create(backend, new PredictorOptions { Compute = compute });
            for (int i = 0; i < 32; i++)
            {
                classifier.Predict(texts[i % texts.Length]);
            }

            double[] latencies = new double[requests];
            for (int i = 0; i < requests; i++)
            {
                long start = Stopwatch.GetTimestamp();
                classifier.Predict(texts[i % texts.Length]);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {backend}: p50 {Percentile(latencies, 0.50):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms over {requests} calls"));
        }
    }

    private static async Task<(double Seconds, double[] Latencies)> RunCallersAsync(INerPredictor classifier, string[] texts, int requests, int callers, bool batching)
    {
        double[] latencies = new double[requests];
        int next = -1;
        async Task Caller()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                long start = Stopwatch.GetTimestamp();
                if (batching)
                {
                    await classifier.PredictAsync(texts[i % texts.Length]).ConfigureAwait(false);
                }
                else
                {
                    classifier.Predict(texts[i % texts.Length]);
                }

                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(Caller))).ConfigureAwait(false);
        return (clock.Elapsed.TotalSeconds, latencies);
    }

    private static string[] Texts(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(12, 31)).Select(_ => Words[random.Next(Words.Length)])))
            .ToArray();
    }

    private static double Percentile(double[] values, double p)
    {
        double[] sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
