namespace NerClassify.Labelling;

/// <summary>How far a labelling run has come.</summary>
/// <param name="Done">Sentences finished so far (labelled or not, from the cache or from the model).</param>
/// <param name="Total">Sentences in the run.</param>
/// <param name="CacheHits">Finished sentences whose answer came from the cache.</param>
/// <param name="Unlabelled">Finished sentences that got no valid label.</param>
public readonly record struct LabellingProgress(int Done, int Total, int CacheHits, int Unlabelled);
