using System.Diagnostics;
using System.Globalization;
using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Inference;

namespace NerClassify.Benchmarks;

/// <summary>
/// `--serving [requests] [callers,...]`: the sample service's traffic without HTTP: concurrent callers, each sending one
/// request after another through <c>PredictBatchAsync</c> (as the service's endpoint does), with mixed-length texts:
/// sentences of CoNLL-2003's validation split when ../shared/data has it (else made here with the same spread), and
/// every tenth request a paragraph of eight sentences. Both backends, micro-batching off and on (32 texts, 4,096
/// tokens, 2 ms), 1, 8, 32 and 64 callers: throughput, p50/p99 latency per request and the process's peak working set.
/// </summary>
internal static class ServingBenchmark
{
    private static readonly int[] DefaultCallers = [1, 8, 32, 64];

    public static async Task RunAsync(int requests, int[]? callerCounts)
    {
        callerCounts ??= DefaultCallers;
        string[] texts = Texts(seed: 3);
        var compute = new ComputeOptions { Device = DeviceKind.Cpu, Threads = BenchmarkInputs.Threads };
        Console.WriteLine($"MiniLM multitask, {BenchmarkInputs.Threads} threads, {requests} requests per row (after {Math.Min(32, requests)} warm-up requests), "
            + $"{Environment.ProcessorCount} logical CPUs; mixed lengths: {texts.Min(t => t.Length)}-{texts.Max(t => t.Length)} characters, median {texts.Order().ElementAt(texts.Length / 2).Length}.");
        Console.WriteLine("| backend | micro-batching | callers | throughput (requests/s) | p50 (ms) | p99 (ms) | peak working set (MB) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (BenchmarkBackend backend in new[] { BenchmarkBackend.TorchSharp, BenchmarkBackend.OnnxRuntime })
        {
            foreach (bool batching in new[] { false, true })
            {
                var options = new PredictorOptions
                {
                    Compute = compute,
                    MicroBatching = new MicroBatchingOptions { Enabled = batching },
                };
                using INerPredictor classifier = BenchmarkPredictors.Create(backend, options);
                foreach (int callers in callerCounts)
                {
                    await RunCallersAsync(classifier, texts, Math.Min(32, requests), callers).ConfigureAwait(false);
                    using Process self = Process.GetCurrentProcess();
                    (double seconds, double[] latencies) = await RunCallersAsync(classifier, texts, requests, callers).ConfigureAwait(false);
                    self.Refresh();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {backend} | {(batching ? "on" : "off")} | {callers} | {requests / seconds:F1} | {Percentile(latencies, 0.50):F0} | {Percentile(latencies, 0.99):F0} | {self.PeakWorkingSet64 / (1024 * 1024)} |"));
                }
            }
        }
    }

    private static async Task<(double Seconds, double[] Latencies)> RunCallersAsync(INerPredictor classifier, string[] texts, int requests, int callers)
    {
        double[] latencies = new double[requests];
        int next = -1;
        async Task Caller()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                long start = Stopwatch.GetTimestamp();
                await classifier.PredictBatchAsync([texts[i % texts.Length]]).ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(Caller))).ConfigureAwait(false);
        return (clock.Elapsed.TotalSeconds, latencies);
    }

    /// <summary>Requests in a fixed random order: sentences, and every tenth a paragraph of eight of them.</summary>
    private static string[] Texts(int seed)
    {
        string[] sentences = Sentences(seed);
        var random = new Random(seed);
        return Enumerable.Range(0, 500)
            .Select(i => i % 10 == 9
                ? string.Join(' ', Enumerable.Range(0, 8).Select(_ => sentences[random.Next(sentences.Length)]))
                : sentences[random.Next(sentences.Length)])
            .ToArray();
    }

    private static string[] Sentences(int seed)
    {
        string file = Path.Combine(FindRoot(), "..", "shared", "data", "conll2003", "valid.txt");
        if (File.Exists(file))
        {
            var sentences = new List<string>();
            var words = new List<string>();
            foreach (string line in File.ReadLines(file))
            {
                if (string.IsNullOrWhiteSpace(line) || line.StartsWith("-DOCSTART-", StringComparison.Ordinal))
                {
                    if (words.Count > 0)
                    {
                        sentences.Add(string.Join(' ', words));
                        words.Clear();
                    }

                    continue;
                }

                words.Add(line.Split(' ', '\t')[0]);
            }

            return sentences.ToArray();
        }

        // CoNLL-2003's spread of sentence lengths, roughly: a fifth are headlines or datelines of 1-4 words.
        string[] vocabulary = "the minister said on Monday that talks in Geneva with officials from Germany and France would resume next week shares of Siemens rose percent after Reuters reported John Smith scored twice for Arsenal against Chelsea at stadium".Split(' ');
        var random = new Random(seed);
        return Enumerable.Range(0, 2000).Select(i =>
        {
            int length = random.Next(5) == 0 ? random.Next(1, 5) : random.Next(5, 45);
            return string.Join(' ', Enumerable.Range(0, length).Select(_ => vocabulary[random.Next(vocabulary.Length)])) + " .";
        }).ToArray();
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NerClassify.Library.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private static double Percentile(double[] values, double p)
    {
        double[] sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
