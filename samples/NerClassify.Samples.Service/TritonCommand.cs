using NerClassify.Export;
using NerClassify.Inference;

namespace NerClassify.Samples.Service;

/// <summary><c>export-triton &lt;model-directory&gt; &lt;repository&gt; [model-name] [max-batch-size]</c>: writes a Triton model repository.</summary>
public static class TritonCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length is < 2 or > 4)
        {
            Console.Error.WriteLine("usage: export-triton <model-directory> <repository> [model-name] [max-batch-size]");
            return 2;
        }

        using NerClassifier classifier = NerClassifier.Load(args[0]);
        var options = new TritonExportOptions
        {
            ModelName = args.Length > 2 ? args[2] : "nerclassify",
            MaxBatchSize = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 32,
        };
        string folder = classifier.ExportTriton(args[1], options);
        Console.WriteLine($"wrote {folder}");
        return 0;
    }
}
