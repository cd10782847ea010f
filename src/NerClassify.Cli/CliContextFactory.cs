using System.CommandLine;

namespace NerClassify.Cli;

/// <summary>Makes the <see cref="CliContext"/> of a parse result.</summary>
internal sealed class CliContextFactory(GlobalOptions global, StandardInput input, TextWriter output, TextWriter error, bool interactive)
{
    public CliContext Create(ParseResult parsed)
    {
        bool quiet = parsed.GetValue(global.Quiet);
        bool showProgress = interactive && !quiet && !Console.IsOutputRedirected && !Console.IsErrorRedirected;
        return new CliContext(input, output, error, quiet, parsed.GetValue(global.Verbosity), showProgress);
    }
}
