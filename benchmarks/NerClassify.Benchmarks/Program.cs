using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// Everything below may touch TorchSharp before any NerClassify type: make its native library loadable first.
NerClassify.Native.TorchSharpNativeCompatibility.EnsureLoadable();

// Full run:  dotnet run -c Release --project benchmarks/NerClassify.Benchmarks
// CI smoke:  dotnet run -c Release --project benchmarks/NerClassify.Benchmarks -- --job short --filter '*'
// See docs/benchmarks.md.
if (args.Length > 0 && args[0] == "--profile")
{
    int batch = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 16;
    int length = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 32;
    NerClassify.Benchmarks.StepProfile.Run(batch, length, repeats: 10);
    return;
}

if (args.Length > 0 && args[0] == "--matmul")
{
    NerClassify.Benchmarks.MatmulRate.Run();
    return;
}

if (args.Length > 1 && args[0] == "--predict")
{
    await NerClassify.Benchmarks.PredictionThroughput.RunAsync(args[1]);
    return;
}

if (args.Length > 0 && args[0] == "--concurrency")
{
    int requests = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000;
    await NerClassify.Benchmarks.ConcurrencyBenchmark.RunAsync(requests);
    return;
}

if (args.Length > 0 && args[0] == "--serving")
{
    int requests = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 400;
    int[]? callers = args.Length > 2 ? args[2].Split(',').Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray() : null;
    await NerClassify.Benchmarks.ServingBenchmark.RunAsync(requests, callers);
    return;
}

if (args.Length > 0 && args[0] == "--latency1")
{
    int repeats = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200;
    NerClassify.Benchmarks.Batch1Profile.Run(repeats);
    return;
}

if (args.Length > 0 && args[0] == "--load-times")
{
    NerClassify.Benchmarks.LoadTimes.Run();
    return;
}

IConfig config = DefaultConfig.Instance.WithOptions(ConfigOptions.DisableOptimizationsValidator);
var benchmarks = new List<Type> { typeof(NerClassify.Benchmarks.EncoderForwardBenchmarks), typeof(NerClassify.Benchmarks.TaskModelBenchmarks) };
if (TorchSharp.torch.cuda.is_available())
{
    benchmarks.Add(typeof(NerClassify.Benchmarks.CudaBenchmarks));
}
else
{
    Console.WriteLine("CUDA: TorchSharp reports no CUDA device here, so the GPU job (CudaBenchmarks) is skipped; the CPU benchmarks run.");
}

BenchmarkSwitcher.FromTypes(benchmarks.ToArray()).Run(args, config);
