namespace NerClassify.Inference;

/// <summary>The validation score that picks the best epoch and drives early stopping (higher is better).</summary>
public enum SelectionMetric
{
    /// <summary>Entity F1 for token models, weighted F1 for sentence models, their mean for multitask models.</summary>
    Auto,

    /// <summary>Micro entity-level F1.</summary>
    EntityF1,

    /// <summary>Token (word) accuracy.</summary>
    TokenAccuracy,

    /// <summary>Sentence accuracy.</summary>
    SequenceAccuracy,

    /// <summary>Support-weighted sentence F1 (the report's F1).</summary>
    SequenceWeightedF1,
}
