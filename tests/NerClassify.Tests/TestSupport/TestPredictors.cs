using NerClassify.Encoders;
using NerClassify.OnnxRuntime;

namespace NerClassify.Tests.TestSupport;

/// <summary>The runtime a test predicts with.</summary>
public enum PredictorBackend
{
    /// <summary>The TorchSharp model.</summary>
    TorchSharp,

    /// <summary>The model exported to ONNX, run by ONNX Runtime.</summary>
    OnnxRuntime,
}

/// <summary>Wraps a model built in a test as a predictor on either runtime.</summary>
internal static class TestPredictors
{
    public static INerPredictor Create(TaskModel model, BertVocabulary vocabulary, PredictorOptions options, PredictorBackend backend)
    {
        NerClassifier classifier = NerClassifier.FromModel(model, vocabulary, options);
        if (backend == PredictorBackend.TorchSharp)
        {
            return classifier;
        }

        string path = Path.Combine(Path.GetTempPath(), $"nerclassify-test-{Guid.NewGuid():N}.onnx");
        using (classifier)
        {
            classifier.ExportOnnx(path);
        }

        try
        {
            return OnnxNerClassifier.Load(path, options);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
