namespace NerClassify.Cli;

/// <summary>A command line that parses but cannot run (conflicting or missing options); exit code 1.</summary>
internal sealed class UsageException(string message) : Exception(message);
