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

if (args.Length > 0 && args[0] == "--load-times")
{
    NerClassify.Benchmarks.LoadTimes.Run();
    return;
}

IConfig config = DefaultConfig.Instance.WithOptions(ConfigOptions.DisableOptimizationsValidator);
if (!TorchSharp.torch.cuda.is_available())
{
    Console.WriteLine("CUDA: not available to TorchSharp here, so the GPU job is skipped (CPU benchmarks only).");
}

BenchmarkSwitcher.FromAssembly(typeof(NerClassify.Benchmarks.EncoderForwardBenchmarks).Assembly).Run(args, config);
