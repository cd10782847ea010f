using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Pretrained;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace NerClassify.Benchmarks;

/// <summary>MiniLM forward: ONNX Runtime (baseline) against the TorchSharp encoder on the same weights and threads.</summary>
[MemoryDiagnoser]
public class EncoderForwardBenchmarks
{
    private PretrainedEncoder? _torch;
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
    public float TorchSharpEncoder()
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        return _torch!.Encoder.Encode(_ids!, _mask!, pool: false).LastHiddenState[0, 0, 0].item<float>();
    }

    [Benchmark(Description = "TorchSharp, LibTorch projections")]
    public float TorchSharpWithoutProjectionKernel()
    {
        // Each benchmark case runs in its own process, so switching the kernel off here touches no other case.
        ProjectionKernel.Enabled = false;
        return TorchSharpEncoder();
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
