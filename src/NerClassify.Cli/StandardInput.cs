namespace NerClassify.Cli;

/// <summary>Where <c>predict</c> reads texts when none are given: standard input, and whether it is a terminal.</summary>
/// <param name="Reader">The text to read.</param>
/// <param name="IsTerminal">True when a person would have to type the texts: <c>predict</c> then prints its usage instead of waiting.</param>
internal sealed record StandardInput(TextReader Reader, bool IsTerminal)
{
    /// <summary>The process's standard input.</summary>
    public static StandardInput Console => new(System.Console.In, !System.Console.IsInputRedirected);
}
