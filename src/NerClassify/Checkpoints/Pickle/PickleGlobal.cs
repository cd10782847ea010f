namespace NerClassify.Checkpoints.Pickle;

/// <summary>A global (<c>module.name</c>) that the reader's allowlist let through.</summary>
internal sealed record PickleGlobal(string Module, string Name);
