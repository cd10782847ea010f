using System.Diagnostics;
using System.Globalization;
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
/// `--latency1 [repeats]`: where the time of one MiniLM text (batch 1 x 32 subwords) goes, as medians over
/// <c>repeats</c> calls: the fixed costs around a forward (dispose scope, input tensors, mask), the TorchSharp
/// encoder forward against ONNX Runtime's, the cost of one tiny operator (TorchSharp's per-op dispatch floor)
/// times the operators of a forward, and end-to-end <c>Predict(string)</c> for both backends.
/// </summary>
internal static class Batch1Profile
{
    private const int Length = 32;

    public static void Run(int repeats)
    {
        set_num_threads(BenchmarkInputs.Threads);
        PretrainedEncoder bert = PretrainedEncoders.MiniLmL6V2(new EncoderLoadOptions { Compute = new ComputeOptions { Device = DeviceKind.Cpu } });
        var bertEncoder = (BertEncoder)bert.Encoder;
        bertEncoder.eval();
        var compute = new ComputeOptions { Device = DeviceKind.Cpu, Threads = BenchmarkInputs.Threads };
        // The forward as a predictor runs it on the CPU kernels (LibTorch where this process has no vector path).
        IEncoder encoder = TorchSharpBackend.KernelEncoder(bertEncoder, new PredictorOptions { Compute = compute, CpuKernels = CpuKernelMode.Always }) ?? (IEncoder)bertEncoder;
        long[] ids = BenchmarkInputs.Ids(1, Length);
        long[] ones = Enumerable.Repeat(1L, Length).ToArray();

        double scope = Median(repeats, () =>
        {
            using var s = NewDisposeScope();
        });
        double inputs = Median(repeats, () =>
        {
            using var s = NewDisposeScope();
            tensor(ids, [1, Length]);
            tensor(ones, [1, Length]);
        });
        double mask = Median(repeats, () =>
        {
            using var s = NewDisposeScope();
            using Tensor m = tensor(ones, [1, Length]);
            BertEncoder.AdditiveMask(m, ScalarType.Float32);
        });
        Action torchForward = () =>
        {
            using var s = NewDisposeScope();
            using var mode = inference_mode();
            using Tensor i = tensor(ids, [1, Length]);
            using Tensor m = tensor(ones, [1, Length]);
            encoder.Encode(i, m, pool: false);
        };
        double forward = Median(repeats, torchForward);
        double tinyOp = Median(repeats, () =>
        {
            using var s = NewDisposeScope();
            using var mode = inference_mode();
            using Tensor x = ones_like(zeros(1, Length, 384));
            for (int k = 0; k < 100; k++)
            {
                x.add_(1f);
            }
        }) / 100;

        using Stream model = PretrainedEncoders.OpenMiniLmResource("model.onnx");
        using var buffer = new MemoryStream();
        model.CopyTo(buffer);
        using var session = new InferenceSession(buffer.ToArray(), new SessionOptions { IntraOpNumThreads = BenchmarkInputs.Threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });
        var onnxInputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, [1, Length])),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(ones, [1, Length])),
        };
        if (session.InputMetadata.ContainsKey("token_type_ids"))
        {
            onnxInputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[Length], [1, Length])));
        }

        Action onnxForward = () =>
        {
            using var results = session.Run(onnxInputs);
        };
        double onnx = Median(repeats, onnxForward);

        // The same two forwards while a third thread of this process spins, as another busy process on a shared
        // machine would: a forward split evenly between two cores waits for the slower half.
        double busyForward = WithOneCoreBusy(() => Median(repeats, torchForward));
        double busyOnnx = WithOneCoreBusy(() => Median(repeats, onnxForward));

        // Operators of one layer: q, k, v, output, intermediate, output linears (6); the attention's view/transpose/
        // matmul/scale/softmax/matmul/transpose/view (about 10); GELU, 2 residual adds, 2 LayerNorms (5). Embeddings about 8.
        int operators = (6 * (6 + 10 + 5)) + 8;
        string text = "the minister said on Monday that talks in Geneva with officials from Germany and France would resume";
        double Predict(BenchmarkBackend backend)
        {
            using INerPredictor classifier = BenchmarkPredictors.Create(backend, new PredictorOptions { Compute = compute });
            return Median(repeats, () => classifier.Predict(text));
        }

        double predictTorch = Predict(BenchmarkBackend.TorchSharp);
        double predictOnnx = Predict(BenchmarkBackend.OnnxRuntime);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            MiniLM, batch 1 x {Length} subwords, {BenchmarkInputs.Threads} threads, medians of {repeats} calls (ms); CPU kernels' vector path: {NerClassify.Inference.Cpu.VectorPaths.Best?.ToString() ?? "none (LibTorch)"}:
              dispose scope open + close            {scope,8:F4}
              two input tensors from long[]         {inputs,8:F4}
              additive mask [B,1,1,T]               {mask,8:F4}
              TorchSharp encoder forward            {forward,8:F3}
              ONNX Runtime forward                  {onnx,8:F3}   (ratio {forward / onnx:F2})
              the same, another thread spinning     {busyForward,8:F3} / {busyOnnx:F3}   (ratio {busyForward / busyOnnx:F2})
              one tiny in-place op (dispatch floor) {tinyOp,8:F4}   x ~{operators} ops = {tinyOp * operators:F3} of the forward
              Predict(string), TorchSharp           {predictTorch,8:F3}
              Predict(string), ONNX Runtime         {predictOnnx,8:F3}
            """));
    }

    private static double WithOneCoreBusy(Func<double> measure)
    {
        bool stop = false;
        var spinner = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                Thread.SpinWait(100);
            }
        }) { IsBackground = true };
        spinner.Start();
        try
        {
            return measure();
        }
        finally
        {
            Volatile.Write(ref stop, true);
            spinner.Join();
        }
    }

    private static double Median(int repeats, Action action)
    {
        for (int i = 0; i < Math.Max(3, repeats / 10); i++)
        {
            action();
        }

        double[] times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[repeats / 2];
    }
}
