using System.Globalization;
using NerClassify.Export;

namespace NerClassify.Samples.Service;

/// <summary>
/// <c>export-triton &lt;model-directory&gt; &lt;repository&gt; [model-name] [max-batch-size] [preferred-batch-sizes]</c>:
/// writes a Triton model repository; <c>preferred-batch-sizes</c> is a comma-separated list such as <c>8,16,32</c>.
/// </summary>
public static class TritonCommand
{
    private const string Usage = "usage: export-triton <model-directory> <repository> [model-name] [max-batch-size] [preferred-batch-sizes, e.g. 8,16,32]";

    /// <summary>Runs the command; returns the exit code (2 for bad arguments).</summary>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length is < 2 or > 5)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        TritonExportOptions options;
        try
        {
            options = new TritonExportOptions
            {
                ModelName = args.Length > 2 ? args[2] : "nerclassify",
                MaxBatchSize = args.Length > 3 ? Number(args[3], "max-batch-size") : 32,
                PreferredBatchSizes = args.Length > 4 ? args[4].Split(',', StringSplitOptions.TrimEntries).Select(s => Number(s, "preferred-batch-sizes")).ToArray() : null,
            }.Validate();
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            Console.Error.WriteLine($"export-triton: {exception.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        using NerClassifier classifier = NerClassifier.Load(args[0]);
        string folder = classifier.ExportTriton(args[1], options);
        Console.WriteLine($"wrote {folder}");
        return 0;
    }

    private static int Number(string text, string what) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new FormatException($"{what}: '{text}' is not a whole number.");
}
