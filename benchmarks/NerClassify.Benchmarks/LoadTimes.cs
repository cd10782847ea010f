using System.Diagnostics;
using NerClassify.Encoders;
using NerClassify.Pretrained;

namespace NerClassify.Benchmarks;

/// <summary>`--load-times`: the MiniLM default's first load (ONNX import and cache write) and second load (from the cache).</summary>
internal static class LoadTimes
{
    public static void Run()
    {
        string cache = Directory.CreateTempSubdirectory("nerclassify-cache-").FullName;
        Environment.SetEnvironmentVariable("NERCLASSIFY_CACHE", cache);
        try
        {
            foreach (string label in new[] { "first load (convert ONNX, write cache)", "second load (from cache)" })
            {
                var clock = Stopwatch.StartNew();
                using PretrainedEncoder encoder = PretrainedEncoders.MiniLmL6V2();
                Console.WriteLine($"MiniLM {label}: {clock.Elapsed.TotalMilliseconds:F0} ms");
            }

            Console.WriteLine($"cache: {PretrainedEncoders.MiniLmCacheDirectory()}");
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
