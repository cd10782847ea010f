namespace NerClassify.Checkpoints;

/// <summary>
/// A checkpoint's content breaks its format's rules. The message says what is wrong but not which file:
/// <see cref="CheckpointFiles.Read"/> turns it into an <see cref="InvalidDataException"/> that names the file.
/// </summary>
internal sealed class CheckpointFormatException(string message) : Exception(message);
