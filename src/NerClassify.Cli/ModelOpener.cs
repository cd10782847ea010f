using System.CommandLine;
using Microsoft.Extensions.Logging;
using NerClassify.Inference;
using NerClassify.OnnxRuntime;

namespace NerClassify.Cli;

/// <summary>Opens a model path on the backend the path or <c>--backend</c> asks for.</summary>
internal static class ModelOpener
{
    public const string OnnxFile = OnnxNerClassifier.FileName;

    public static Argument<string> ModelArgument() => new("DIR")
    {
        Description = "A saved model directory, a directory holding model.onnx, or an .onnx file.",
    };

    public static Option<Backend> BackendOption()
    {
        var option = new Option<Backend>("--backend")
        {
            Description = "The runtime: auto picks ONNX Runtime for an .onnx file or a directory with model.onnx, TorchSharp otherwise.",
            DefaultValueFactory = _ => Backend.Auto,
        };
        option.AcceptOnlyFromAmong("auto", "torchsharp", "onnx");
        return option;
    }

    public static Option<int> BatchSizeOption() => new("--batch-size")
    {
        Description = "Texts per inference batch.",
        DefaultValueFactory = _ => new PredictorOptions().BatchSize,
    };

    public static INerPredictor Open(string path, Backend backend, PredictorOptions options, ILoggerFactory loggerFactory) =>
        Resolve(path, backend) == Backend.Onnx
            ? OnnxNerClassifier.Load(path, options)
            : NerClassifier.Load(path, options, loggerFactory);

    /// <summary>The backend that runs <paramref name="path"/>: what <paramref name="backend"/> says, or for auto what the path holds.</summary>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="UsageException">TorchSharp was asked for an .onnx file.</exception>
    public static Backend Resolve(string path, Backend backend)
    {
        bool isFile = File.Exists(path);
        if (!isFile && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"Model '{path}' was not found: give a saved model directory, a directory holding {OnnxFile}, or an .onnx file.", path);
        }

        if (backend == Backend.Auto)
        {
            backend = isFile || File.Exists(Path.Combine(path, OnnxFile)) ? Backend.Onnx : Backend.TorchSharp;
        }

        if (backend == Backend.TorchSharp && isFile)
        {
            throw new UsageException($"--backend torchsharp needs a model directory; '{path}' is a file (use --backend onnx for an .onnx file).");
        }

        return backend;
    }
}
