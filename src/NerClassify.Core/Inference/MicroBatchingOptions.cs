namespace NerClassify.Inference;

/// <summary>
/// Dynamic micro-batching of <see cref="INerPredictor.PredictAsync(string, CancellationToken)"/>: concurrent
/// single-text calls are coalesced into one forward pass, as Triton's dynamic batcher does.
/// </summary>
public sealed record MicroBatchingOptions
{
    /// <summary>
    /// Whether to coalesce concurrent calls. Default false: a lone caller would wait up to <see cref="MaxWait"/> for
    /// company, so turn it on for services with many concurrent callers.
    /// </summary>
    public bool Enabled { get; init; }

    /// <summary>The most texts in one coalesced batch. Default 32.</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>
    /// The most tokens (subwords, counting [CLS] and [SEP]) in one coalesced batch, and in each of its forward passes
    /// (rows times the longest row, padding included). Default 4,096: eight 512-token windows, or about a hundred short
    /// sentences. It bounds both the time one batch holds the model (so a short call queued behind a long one waits for
    /// at most one such batch) and the activation memory of a forward pass. A text longer than this runs alone, in
    /// forward passes of as many of its windows as fit.
    /// </summary>
    public int MaxBatchTokens { get; init; } = 4096;

    /// <summary>The longest a batch waits for more texts after its first one arrives. Default 2 ms; zero takes only what is already queued.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MaxBatchSize"/> or <see cref="MaxBatchTokens"/> is below 1, or <see cref="MaxWait"/> is negative or over one second.</exception>
    public MicroBatchingOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchTokens, 1, nameof(MaxBatchTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWait, TimeSpan.Zero, nameof(MaxWait));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxWait, TimeSpan.FromSeconds(1), nameof(MaxWait));
        return this;
    }
}
