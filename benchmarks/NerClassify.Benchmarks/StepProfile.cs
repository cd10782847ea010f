using System.Diagnostics;
using NerClassify.Configuration;
using NerClassify.Encoders;
using NerClassify.Models;
using NerClassify.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Benchmarks;

/// <summary>
/// `--profile`: times the parts of one training step (forward, backward, clipping, AdamW) and one
/// inference forward with a Stopwatch, to show where the time goes before optimising.
/// </summary>
internal static class StepProfile
{
    public static void Run(int batch, int length, int repeats)
    {
        set_num_threads(BenchmarkInputs.Threads);
        manual_seed(1);
        string[] labels = BenchmarkInputs.TokenLabels;
        using PretrainedEncoder bert = PretrainedEncoders.MiniLmL6V2(new EncoderLoadOptions { Compute = new ComputeOptions { Device = DeviceKind.Cpu } });
        using var model = new TokenClassificationModel(bert.Encoder, labels);
        using var optimizer = optim.AdamW(model.parameters(), 5e-5);
        using Tensor ids = tensor(BenchmarkInputs.Ids(batch, length), [batch, length]);
        using Tensor mask = ones_like(ids);
        using Tensor types = zeros_like(ids);
        using Tensor targets = randint(0, labels.Length, [batch, length], dtype: ScalarType.Int64);
        var inputs = new ModelInputs(ids, mask, types, null);
        using Tensor paddedMask = ones_like(ids);
        paddedMask[0, length - 1] = tensor(0L);
        var padded = new ModelInputs(ids, paddedMask, types, null);
        var parts = new Dictionary<string, double>();
        void Time(string name, Action action)
        {
            var clock = Stopwatch.StartNew();
            action();
            parts[name] = parts.GetValueOrDefault(name) + clock.Elapsed.TotalMilliseconds;
        }

        for (int i = 0; i < repeats + 2; i++)
        {
            if (i == 2)
            {
                parts.Clear();
            }

            model.train();
            using (NewDisposeScope())
            {
                TaskLoss? loss = null;
                Time("train forward", () => loss = model.ComputeLoss(model.Forward(inputs), targets, null));
                Time("backward", () => loss!.Total.backward());
                Time("clip", () => nn.utils.clip_grad_norm_(model.parameters(), 1.0));
                Time("adamw step", () => optimizer.step());
                Time("zero grad", () => optimizer.zero_grad());
            }

            model.eval();
            using (NewDisposeScope())
            using (inference_mode())
            {
                Time("inference forward", () => model.Forward(inputs).TokenLogits!.sum().item<float>());
                Time("inference, 1 pad", () => model.Forward(padded).TokenLogits!.sum().item<float>());
            }
        }

        Console.WriteLine($"MiniLM token model, batch {batch} x {length}, {BenchmarkInputs.Threads} threads, mean of {repeats}:");
        foreach ((string name, double total) in parts)
        {
            Console.WriteLine($"  {name,-18} {total / repeats,8:F1} ms");
        }
    }
}
