using BenchmarkDotNet.Attributes;
using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Models;
using NerClassify.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Benchmarks;

/// <summary>
/// The GPU job: encoder forward, multitask forward and a multitask training step on CUDA. Program.cs runs
/// it only when TorchSharp reports CUDA (reference a libtorch-cuda backend), and says so when it skips it.
/// </summary>
[MemoryDiagnoser]
public class CudaBenchmarks
{
    private MultitaskModel? _model;
    private optim.Optimizer? _optimizer;
    private ModelInputs? _inputs;
    private Tensor? _tokenLabels;
    private Tensor? _sentenceLabels;

    [Params(32)]
    public int Batch { get; set; }

    [Params(32, 128)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var load = new EncoderLoadOptions { Compute = new ComputeOptions { Device = DeviceKind.Cuda } };
        _model = new MultitaskModel(PretrainedEncoders.MiniLmL6V2(load).Encoder, BenchmarkInputs.TokenLabels, BenchmarkInputs.Topics);
        _model.to(CUDA);
        _optimizer = optim.AdamW(_model.parameters(), 5e-5);
        Tensor ids = tensor(BenchmarkInputs.Ids(Batch, Length), [Batch, Length], device: CUDA).DetachFromDisposeScope();
        _inputs = new ModelInputs(ids, ones_like(ids).DetachFromDisposeScope(), zeros_like(ids).DetachFromDisposeScope(), null);
        _tokenLabels = randint(0, BenchmarkInputs.TokenLabels.Length, [Batch, Length], dtype: ScalarType.Int64, device: CUDA).DetachFromDisposeScope();
        _sentenceLabels = randint(0, BenchmarkInputs.Topics.Length, [Batch], dtype: ScalarType.Int64, device: CUDA).DetachFromDisposeScope();
    }

    [Benchmark(Description = "CUDA encoder forward")]
    public float EncoderForward()
    {
        _model!.eval();
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        return _model.Encoder.Encode(_inputs!.InputIds, _inputs.AttentionMask, pool: false).LastHiddenState[0, 0, 0].item<float>();
    }

    [Benchmark(Description = "CUDA multitask forward")]
    public float MultitaskForward()
    {
        _model!.eval();
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        return _model.Forward(_inputs!).SequenceLogits!.sum().item<float>();
    }

    [Benchmark(Description = "CUDA multitask training step")]
    public float TrainingStep()
    {
        _model!.train();
        using var scope = NewDisposeScope();
        TaskLoss loss = _model.ComputeLoss(_model.Forward(_inputs!), _tokenLabels, _sentenceLabels);
        loss.Total.backward();
        _optimizer!.step();
        _optimizer.zero_grad();
        return loss.Total.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _optimizer?.Dispose();
        _model?.Dispose();
    }
}
