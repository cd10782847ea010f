using NerClassify.Inference;

namespace NerClassify.DependencyInjection;

/// <summary>What <c>AddNerClassify</c> registers: which model directory to load and how to run it.</summary>
public sealed record NerClassifyOptions
{
    /// <summary>The fine-tuned model directory (see <see cref="Models.ModelDirectory"/>). Required.</summary>
    public string ModelPath { get; init; } = string.Empty;

    /// <summary>Batching, decoding and device. Default <see cref="PredictorOptions"/>'s defaults.</summary>
    public PredictorOptions Predictor { get; init; } = new();

    /// <summary>Checks the values and that the model directory looks loadable.</summary>
    /// <exception cref="ArgumentException"><see cref="ModelPath"/> is empty.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing; the message names it.</exception>
    public NerClassifyOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            throw new ArgumentException("NerClassifyOptions.ModelPath must name a model directory.", nameof(ModelPath));
        }

        if (!Directory.Exists(ModelPath))
        {
            throw new DirectoryNotFoundException($"NerClassifyOptions.ModelPath: model directory '{ModelPath}' does not exist.");
        }

        foreach (string file in new[] { "config.json", "vocab.txt" })
        {
            string path = Path.Combine(ModelPath, file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"NerClassifyOptions.ModelPath: '{ModelPath}' has no {file}.", path);
            }
        }

        ArgumentNullException.ThrowIfNull(Predictor, nameof(Predictor));
        Predictor.Validate();
        return this;
    }
}
