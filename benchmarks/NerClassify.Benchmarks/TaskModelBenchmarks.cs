using BenchmarkDotNet.Attributes;
using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Models;
using NerClassify.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Benchmarks;

/// <summary>Multitask forward against the two single-task forwards, and one training step per model (MiniLM).</summary>
[MemoryDiagnoser]
public class TaskModelBenchmarks
{
    private TokenClassificationModel? _token;
    private SequenceClassificationModel? _sequence;
    private MultitaskModel? _multitask;
    private ModelInputs? _inference;
    private ModelInputs? _training;
    private Tensor? _tokenLabels;
    private Tensor? _sentenceLabels;
    private optim.Optimizer? _tokenOptimizer;
    private optim.Optimizer? _sequenceOptimizer;
    private optim.Optimizer? _multitaskOptimizer;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(BenchmarkInputs.Threads);
        manual_seed(1);
        var load = new EncoderLoadOptions { Compute = new ComputeOptions { Device = DeviceKind.Cpu } };
        _token = new TokenClassificationModel(PretrainedEncoders.MiniLmL6V2(load).Encoder, BenchmarkInputs.TokenLabels);
        _sequence = new SequenceClassificationModel(PretrainedEncoders.MiniLmL6V2(load).Encoder, BenchmarkInputs.Topics);
        _multitask = new MultitaskModel(PretrainedEncoders.MiniLmL6V2(load).Encoder, BenchmarkInputs.TokenLabels, BenchmarkInputs.Topics);
        _inference = Inputs(32, 32);
        _training = Inputs(16, 32);
        var random = new Random(3);
        _tokenLabels = tensor(Enumerable.Range(0, 16 * 32).Select(_ => (long)random.Next(BenchmarkInputs.TokenLabels.Length)).ToArray(), [16, 32]);
        _sentenceLabels = tensor(Enumerable.Range(0, 16).Select(_ => (long)random.Next(BenchmarkInputs.Topics.Length)).ToArray());
        _tokenOptimizer = optim.AdamW(_token.parameters(), 5e-5);
        _sequenceOptimizer = optim.AdamW(_sequence.parameters(), 5e-5);
        _multitaskOptimizer = optim.AdamW(_multitask.parameters(), 5e-5);
    }

    [Benchmark(Baseline = true, Description = "Token forward (32x32)")]
    public void TokenForward() => Forward(_token!);

    [Benchmark(Description = "Token + sequence forwards (32x32)")]
    public void TwoSingleTaskForwards()
    {
        Forward(_token!);
        Forward(_sequence!);
    }

    [Benchmark(Description = "Multitask forward (32x32)")]
    public void MultitaskForward() => Forward(_multitask!);

    [Benchmark(Description = "Train step, token (16x32)")]
    public float TokenTrainingStep() => Step(_token!, _tokenOptimizer!);

    [Benchmark(Description = "Train step, sequence (16x32)")]
    public float SequenceTrainingStep() => Step(_sequence!, _sequenceOptimizer!);

    [Benchmark(Description = "Train step, multitask (16x32)")]
    public float MultitaskTrainingStep() => Step(_multitask!, _multitaskOptimizer!);

    [GlobalCleanup]
    public void Cleanup()
    {
        _tokenOptimizer?.Dispose();
        _sequenceOptimizer?.Dispose();
        _multitaskOptimizer?.Dispose();
        _token?.Dispose();
        _sequence?.Dispose();
        _multitask?.Dispose();
    }

    private void Forward(TaskModel model)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        TaskOutputs outputs = model.Forward(_inference!);
        (outputs.TokenLogits ?? outputs.SequenceLogits)!.sum().item<float>();
    }

    private float Step(TaskModel model, optim.Optimizer optimizer)
    {
        model.train();
        using var scope = NewDisposeScope();
        TaskLoss loss = model.ComputeLoss(model.Forward(_training!), _tokenLabels, _sentenceLabels);
        loss.Total.backward();
        optimizer.step();
        optimizer.zero_grad();
        return loss.Total.item<float>();
    }

    private static ModelInputs Inputs(int batch, int length)
    {
        Tensor ids = tensor(BenchmarkInputs.Ids(batch, length), [batch, length]).DetachFromDisposeScope();
        return new ModelInputs(ids, ones_like(ids).DetachFromDisposeScope(), zeros_like(ids).DetachFromDisposeScope(), null);
    }
}
