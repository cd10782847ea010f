namespace NerClassify.Labelling;

/// <summary>Everything a labelling run produced.</summary>
/// <param name="Results">One result per input sentence, in input order.</param>
/// <param name="Summary">The run's totals.</param>
public sealed record SentenceLabellingResult(IReadOnlyList<SentenceLabelResult> Results, LabellingSummary Summary);
