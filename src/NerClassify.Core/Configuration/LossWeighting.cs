namespace NerClassify.Configuration;

/// <summary>How the multitask model combines its two losses.</summary>
public enum LossWeighting
{
    /// <summary><c>alpha * L_sequence + beta * L_token</c> with fixed weights.</summary>
    Fixed,

    /// <summary>
    /// Weights learned with the model by homoscedastic uncertainty (Kendall, Gal and Cipolla, 2018):
    /// <c>sum_i 0.5 * exp(-s_i) * L_i + 0.5 * s_i</c> with one learned log-variance <c>s_i</c> per task.
    /// </summary>
    Uncertainty,
}
