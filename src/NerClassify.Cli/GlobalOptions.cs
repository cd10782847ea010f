using System.CommandLine;

namespace NerClassify.Cli;

/// <summary>Options every command takes: <c>--quiet</c> and <c>--verbosity</c>.</summary>
internal sealed class GlobalOptions
{
    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "No progress bars and no summary lines; results only.",
        Recursive = true,
    };

    public Option<Verbosity> Verbosity { get; } = new("--verbosity", "-v")
    {
        Description = "Logs written to standard error. 'debug' also prints stack traces.",
        DefaultValueFactory = _ => Cli.Verbosity.Minimal,
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        Verbosity.AcceptOnlyFromAmong(Enum.GetNames<Verbosity>().Select(n => n.ToLowerInvariant()).ToArray());
        root.Options.Add(Quiet);
        root.Options.Add(Verbosity);
    }
}
