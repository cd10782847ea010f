namespace NerClassify.Cli;

/// <summary>How much the tool logs to standard error, as <c>dotnet</c>'s <c>--verbosity</c>.</summary>
internal enum Verbosity
{
    /// <summary>Errors only.</summary>
    Quiet,

    /// <summary>Warnings and errors (the default).</summary>
    Minimal,

    /// <summary>Information: epochs, evaluations, checkpoints.</summary>
    Normal,

    /// <summary>Debug logs.</summary>
    Detailed,

    /// <summary>Everything, plus stack traces on errors.</summary>
    Debug,
}
