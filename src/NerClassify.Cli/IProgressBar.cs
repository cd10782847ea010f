namespace NerClassify.Cli;

/// <summary>Moves a progress bar, and prints lines above it.</summary>
internal interface IProgressBar
{
    void Update(double done, double total, string? description = null);

    /// <summary>Prints a summary line (standard error, unless <c>--quiet</c>) without breaking the bar.</summary>
    void WriteLine(string line);
}
