using NerClassify.Encoders;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.OnnxRuntime;
using NerClassify.Pretrained;

namespace NerClassify.Benchmarks;

/// <summary>The runtime a benchmark predicts with.</summary>
internal enum BenchmarkBackend
{
    /// <summary>The TorchSharp model itself.</summary>
    TorchSharp,

    /// <summary>The model exported to ONNX and run by ONNX Runtime.</summary>
    OnnxRuntime,
}

/// <summary>Builds the untrained MiniLM multitask predictor on either runtime.</summary>
internal static class BenchmarkPredictors
{
    public static INerPredictor Create(BenchmarkBackend backend, PredictorOptions options)
    {
        PretrainedEncoder bert = PretrainedEncoders.MiniLmL6V2(new EncoderLoadOptions { Compute = options.Compute });
        NerClassifier classifier = NerClassifier.FromModel(new MultitaskModel(bert.Encoder, BenchmarkInputs.TokenLabels, BenchmarkInputs.Topics), bert.Vocabulary, options);
        if (backend == BenchmarkBackend.TorchSharp)
        {
            return classifier;
        }

        string path = Path.Combine(Path.GetTempPath(), $"nerclassify-benchmark-{Environment.ProcessId}.onnx");
        using (classifier)
        {
            classifier.ExportOnnx(path);
        }

        OnnxNerClassifier onnx = OnnxNerClassifier.Load(path, options);
        File.Delete(path);
        return onnx;
    }
}
