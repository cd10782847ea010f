namespace NerClassify.Configuration;

/// <summary>How the multitask loss <c>alpha * L_sequence + beta * L_token</c> is weighted.</summary>
public sealed record MultitaskLossOptions
{
    /// <summary>Fixed or learned weights. Default <see cref="LossWeighting.Fixed"/>.</summary>
    public LossWeighting Weighting { get; init; } = LossWeighting.Fixed;

    /// <summary>alpha: the weight of the sentence loss under fixed weighting. Default 1.</summary>
    public double SequenceWeight { get; init; } = 1.0;

    /// <summary>beta: the weight of the token loss under fixed weighting. Default 7, the report's best ratio.</summary>
    public double TokenWeight { get; init; } = 7.0;

    /// <summary>Checks the values.</summary>
    public MultitaskLossOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(SequenceWeight, nameof(SequenceWeight));
        ArgumentOutOfRangeException.ThrowIfNegative(TokenWeight, nameof(TokenWeight));
        if (Weighting == LossWeighting.Fixed && SequenceWeight == 0 && TokenWeight == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TokenWeight), "At least one of the two loss weights must be positive.");
        }

        return this;
    }
}
