using System.Diagnostics;
using static TorchSharp.torch;

namespace NerClassify.Benchmarks;

/// <summary>`--matmul`: the machine's float32 matrix-multiply rate through LibTorch, the ceiling for the encoder.</summary>
internal static class MatmulRate
{
    public static void Run()
    {
        set_num_threads(BenchmarkInputs.Threads);
        (long M, long K, long N)[] shapes = [(1024, 384, 1536), (1024, 1536, 384), (1024, 384, 384), (2048, 2048, 2048)];
        foreach ((long m, long k, long n) in shapes)
        {
            using Tensor a = randn(m, k);
            using Tensor b = randn(k, n);
            for (int i = 0; i < 3; i++)
            {
                a.matmul(b).Dispose();
            }

            int repeats = (int)Math.Max(5, 2e10 / (2.0 * m * k * n));
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < repeats; i++)
            {
                a.matmul(b).Dispose();
            }

            double gflops = 2.0 * m * k * n * repeats / clock.Elapsed.TotalSeconds / 1e9;
            Console.WriteLine($"matmul [{m}x{k}] x [{k}x{n}], {BenchmarkInputs.Threads} threads: {gflops:F1} GFLOP/s");
        }
    }
}
