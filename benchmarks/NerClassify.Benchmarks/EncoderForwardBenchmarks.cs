using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Pretrained;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace NerClassify.Benchmarks;

/// <summary>
/// MiniLM forward: ONNX Runtime (baseline) against the TorchSharp encoder on the same weights and threads, as a predictor
/// runs it (<see cref="CpuKernelMode.Auto"/>: kernels or LibTorch per shape, measured at the first batch of each shape),
/// on the CPU kernels alone (<see cref="CpuKernelMode.Always"/>) and on LibTorch alone (<see cref="CpuKernelMode.Off"/>).
/// The kernels take the widest vector path the process may use: <c>DOTNET_EnableAVX512=0</c> in the environment of the
/// benchmark command gives the AVX2 path (BenchmarkDotNet's processes inherit it).
/// </summary>
[MemoryDiagnoser]
public class EncoderForwardBenchmarks
{
    private PretrainedEncoder? _torch;
    private IEncoder? _auto;
    private IEncoder? _kernels;
    private InferenceSession? _onnx;
    private List<NamedOnnxValue>? _onnxInputs;
    private Tensor? _ids;
    private Tensor? _mask;

    [Params(1, 8, 32)]
    public int Batch { get; set; }

    [Params(32, 128)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(BenchmarkInputs.Threads);
        _torch = PretrainedEncoders.MiniLmL6V2(new EncoderLoadOptions { Compute = new ComputeOptions { Device = DeviceKind.Cpu } });
        _torch.Encoder.eval();
        var compute = new ComputeOptions { Device = DeviceKind.Cpu, Threads = BenchmarkInputs.Threads };
        var bert = (BertEncoder)_torch.Encoder;
        _auto = TorchSharpBackend.KernelEncoder(bert, new PredictorOptions { Compute = compute, CpuKernels = CpuKernelMode.Auto }) ?? (IEncoder)bert;
        _kernels = TorchSharpBackend.KernelEncoder(bert, new PredictorOptions { Compute = compute, CpuKernels = CpuKernelMode.Always }) ?? (IEncoder)bert;
        long[] ids = BenchmarkInputs.Ids(Batch, Length);
        _ids = tensor(ids, [Batch, Length]);
        _mask = ones_like(_ids);

        using Stream model = PretrainedEncoders.OpenMiniLmResource("model.onnx");
        using var buffer = new MemoryStream();
        model.CopyTo(buffer);
        var options = new SessionOptions { IntraOpNumThreads = BenchmarkInputs.Threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _onnx = new InferenceSession(buffer.ToArray(), options);
        int[] shape = [Batch, Length];
        _onnxInputs =
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, ids.Length).ToArray(), shape)),
        ];
        if (_onnx.InputMetadata.ContainsKey("token_type_ids"))
        {
            _onnxInputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Length], shape)));
        }
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime")]
    public float OnnxRuntime()
    {
        using var results = _onnx!.Run(_onnxInputs!);
        return results[0].AsTensor<float>().GetValue(0);
    }

    [Benchmark(Description = "NerClassify (TorchSharp)")]
    public float TorchSharpEncoder() => Forward(_auto!);

    [Benchmark(Description = "TorchSharp, CPU kernels")]
    public float TorchSharpKernels() => Forward(_kernels!);

    [Benchmark(Description = "TorchSharp, LibTorch projections")]
    public float TorchSharpLibTorch() => Forward(_torch!.Encoder);

    private float Forward(IEncoder encoder)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        return encoder.Encode(_ids!, _mask!, pool: false).LastHiddenState[0, 0, 0].item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ids?.Dispose();
        _mask?.Dispose();
        _torch?.Dispose();
        _onnx?.Dispose();
    }
}
