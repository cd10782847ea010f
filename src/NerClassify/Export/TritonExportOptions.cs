namespace NerClassify.Export;

/// <summary>Settings of <see cref="TritonExporter"/>: the model's name and version in the repository and Triton's dynamic batcher.</summary>
public sealed record TritonExportOptions
{
    /// <summary>The model's folder name in the repository, which is also its name in Triton's API. Default <c>nerclassify</c>.</summary>
    public string ModelName { get; init; } = "nerclassify";

    /// <summary>The version folder the ONNX file goes to. Default 1.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Triton's <c>max_batch_size</c>: the most texts (windows) in one batch. Default 32.</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>The dynamic batcher's <c>max_queue_delay_microseconds</c>: how long a request may wait for others. Default 2 ms.</summary>
    public TimeSpan MaxQueueDelay { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>The dynamic batcher's <c>preferred_batch_size</c> values, each at most <see cref="MaxBatchSize"/>; null or empty leaves them out. Default null.</summary>
    public IReadOnlyList<int>? PreferredBatchSizes { get; init; }

    /// <summary>The metadata of the ONNX file (casing, window settings). Default: labels only.</summary>
    internal OnnxExportOptions Onnx { get; init; } = new();

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException"><see cref="ModelName"/> is empty or not a plain folder name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range; the message names the property.</exception>
    public TritonExportOptions Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ModelName, nameof(ModelName));
        if (ModelName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || ModelName.Contains('/') || ModelName.Contains('\\') || ModelName is "." or ".." || ModelName.Contains('"'))
        {
            throw new ArgumentException($"Model name '{ModelName}' must be a plain folder name.", nameof(ModelName));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Version, 1, nameof(Version));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueueDelay, TimeSpan.Zero, nameof(MaxQueueDelay));
        foreach (int size in PreferredBatchSizes ?? [])
        {
            if (size < 1 || size > MaxBatchSize)
            {
                throw new ArgumentOutOfRangeException(nameof(PreferredBatchSizes), size, $"Preferred batch sizes must lie in [1, {MaxBatchSize}] (MaxBatchSize).");
            }
        }

        ArgumentNullException.ThrowIfNull(Onnx, nameof(Onnx));
        Onnx.Validate();
        return this;
    }
}
