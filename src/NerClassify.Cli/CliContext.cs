using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace NerClassify.Cli;

/// <summary>What a running command reads from and writes to: texts, results, messages, logs and progress bars.</summary>
internal sealed class CliContext
{
    public CliContext(StandardInput input, TextWriter output, TextWriter error, bool quiet, Verbosity verbosity, bool showProgress)
    {
        Input = input;
        Output = output;
        Error = error;
        Quiet = quiet;
        LoggerFactory = new TextLoggerFactory(error, verbosity);
        Progress = new ProgressDisplay(showProgress ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : null, Say);
    }

    /// <summary>Standard input, where <c>predict</c> reads texts when none are given.</summary>
    public StandardInput Input { get; }

    /// <summary>Results: reports, predictions.</summary>
    public TextWriter Output { get; }

    /// <summary>Errors and logs.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether summary lines are suppressed.</summary>
    public bool Quiet { get; }

    public ILoggerFactory LoggerFactory { get; }

    public ProgressDisplay Progress { get; }

    /// <summary>Writes a summary line to standard error, unless <c>--quiet</c>.</summary>
    public void Say(string line)
    {
        if (!Quiet)
        {
            Error.WriteLine(line);
        }
    }
}
