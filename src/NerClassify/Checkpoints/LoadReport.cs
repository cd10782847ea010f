namespace NerClassify.Checkpoints;

/// <summary>What loading a checkpoint into a model matched, in Hugging Face's terms.</summary>
/// <param name="Source">The file or stream the weights came from.</param>
/// <param name="MissingKeys">Model parameters the checkpoint did not provide (left as initialised).</param>
/// <param name="UnexpectedKeys">Checkpoint tensors the model has no place for (ignored).</param>
internal sealed record LoadReport(string Source, IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys)
{
    /// <summary>True when every model parameter was loaded and every checkpoint tensor used.</summary>
    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0;
}
