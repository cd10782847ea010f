namespace NerClassify.Cli;

/// <summary>A command line that parses but cannot run (conflicting or missing options); exit code 1.</summary>
/// <param name="message">What is wrong, naming the option.</param>
/// <param name="showHelp">Whether the command's help follows the message (when the whole usage is the answer).</param>
internal sealed class UsageException(string message, bool showHelp = false) : Exception(message)
{
    public bool ShowHelp { get; } = showHelp;
}
