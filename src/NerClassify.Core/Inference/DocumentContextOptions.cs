namespace NerClassify.Inference;

/// <summary>
/// How <see cref="DocumentContext.Apply"/> lets the sentences of one document inform each other's predictions.
/// The defaults were chosen on CoNLL-2003 news (docs/results.md): a sentence keeps a confident class of its own, and
/// an uncertain one leans towards the classes of the rest of its document.
/// </summary>
public sealed record DocumentContextOptions
{
    /// <summary>
    /// How strongly the other sentences pull a sentence's class: its class probabilities are multiplied by the
    /// document's mean probability of each class (over the other sentences, plus <see cref="ClassPriorFloor"/>)
    /// raised to this power, then renormalised. 0 leaves the sentence classes as they are. Default 2.
    /// </summary>
    public double ClassPriorWeight { get; init; } = 2;

    /// <summary>
    /// Added to each class's document mean before the power, so that a class no other sentence predicts is
    /// discouraged rather than ruled out. Must be positive. Default 0.05.
    /// </summary>
    public double ClassPriorFloor { get; init; } = 0.05;

    /// <summary>
    /// Give every mention of the same entity text in a document one type: the type whose mentions' scores sum
    /// highest (a tie keeps the mention's own type). The mention's tags follow its new type. Spans are never added,
    /// removed or moved. Default true.
    /// </summary>
    public bool UnifyEntityTypes { get; init; } = true;

    /// <summary>Checks the values.</summary>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is negative, zero where it must be positive, or not finite; the message names it.</exception>
    public DocumentContextOptions Validate()
    {
        if (!double.IsFinite(ClassPriorWeight) || ClassPriorWeight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ClassPriorWeight), ClassPriorWeight, "The class prior weight must be a finite number of at least 0.");
        }

        if (!double.IsFinite(ClassPriorFloor) || ClassPriorFloor <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ClassPriorFloor), ClassPriorFloor, "The class prior floor must be a finite number above 0.");
        }

        return this;
    }
}
