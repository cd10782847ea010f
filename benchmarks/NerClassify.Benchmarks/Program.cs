using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// Full run:  dotnet run -c Release --project benchmarks/NerClassify.Benchmarks
// CI smoke:  dotnet run -c Release --project benchmarks/NerClassify.Benchmarks -- --job short --filter '*'
// See docs/benchmarks.md.
IConfig config = DefaultConfig.Instance.WithOptions(ConfigOptions.DisableOptimizationsValidator);
if (!TorchSharp.torch.cuda.is_available())
{
    Console.WriteLine("CUDA: not available to TorchSharp here, so the GPU job is skipped (CPU benchmarks only).");
}

BenchmarkSwitcher.FromAssembly(typeof(NerClassify.Benchmarks.EncoderForwardBenchmarks).Assembly).Run(args, config);
