namespace NerClassify.Checkpoints.Pickle;

/// <summary>A pickle that the restricted reader refuses; the message says where and why, but not which file.</summary>
internal sealed class PickleException(string message) : Exception(message);
