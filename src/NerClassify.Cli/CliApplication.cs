using System.CommandLine;
using System.Text.Json;
using NerClassify.Cli.Commands;

namespace NerClassify.Cli;

/// <summary>
/// The <c>nerclassify</c> command line: parses the arguments, runs one command, and maps failures to exit codes
/// (0 success, 1 usage error with the help text, 2 data error, 3 unexpected failure, 130 cancelled).
/// </summary>
public static class CliApplication
{
    private const string RootName = "nerclassify";

    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a usage error: an unknown option, a missing argument, a value out of range.</summary>
    public const int UsageError = 1;

    /// <summary>Exit code of a data error: a missing or malformed file.</summary>
    public const int DataError = 2;

    /// <summary>Exit code of an unexpected failure.</summary>
    public const int InternalError = 3;

    /// <summary>Exit code of a run stopped with Ctrl+C.</summary>
    public const int Cancelled = 130;

    /// <summary>Runs the command line.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="output">Receives results (reports, predictions, help).</param>
    /// <param name="error">Receives errors, warnings and logs.</param>
    /// <param name="interactive">
    /// Whether this is the real console: Ctrl+C cancels, and progress bars are drawn when neither stream is
    /// redirected. False for callers that capture the streams (tests).
    /// </param>
    /// <param name="cancellationToken">Stops the command.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var global = new GlobalOptions();
        Command root = BuildRoot(global, output, error, interactive);
        ParseResult parsed = root.Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            // Ctrl+C cancels the token; training stops before its next batch, which takes a moment.
            ProcessTerminationTimeout = interactive ? TimeSpan.FromSeconds(60) : null,
        };
        try
        {
            return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return Report(e, parsed, global, error);
        }
    }

    private static Command BuildRoot(GlobalOptions global, TextWriter output, TextWriter error, bool interactive)
    {
        // A plain command rather than RootCommand, so help says "nerclassify" whatever the host process is called.
        var root = new Command(RootName, "Train, evaluate, predict with, export and inspect NerClassify models (NER, sentence classification, multitask).")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
        };
        global.AddTo(root);
        var context = new CliContextFactory(global, output, error, interactive);
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(EvaluateCommand.Create(context));
        root.Subcommands.Add(PredictCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
        root.Subcommands.Add(InfoCommand.Create(context));
        root.Subcommands.Add(LabelCommand.Create(context));
        root.Subcommands.Add(ServeCommand.Create(context));
        return root;
    }

    private static int Report(Exception e, ParseResult parsed, GlobalOptions global, TextWriter error)
    {
        bool debug = parsed.GetValue(global.Verbosity) == Verbosity.Debug;
        (int code, string message) = Classify(e);
        error.WriteLine($"error: {message}");
        if (code == UsageError)
        {
            string command = parsed.CommandResult.Command.Name;
            error.WriteLine($"Run '{(command == RootName ? command : $"{RootName} {command}")} --help' for the options and their allowed values.");
        }

        if (debug)
        {
            error.WriteLine(e.ToString());
        }

        return code;
    }

    private static (int Code, string Message) Classify(Exception e) => e switch
    {
        OperationCanceledException => (Cancelled, "cancelled."),
        UsageException => (UsageError, e.Message),
        ArgumentOutOfRangeException { ParamName: { } name } when TrainerFlags.FlagFor(name) is { } flag =>
            (UsageError, $"{flag}: {FirstLine(e.Message)}"),
        FileNotFoundException or DirectoryNotFoundException or FormatException or InvalidDataException or System.Text.DecoderFallbackException
            or UnauthorizedAccessException => (DataError, e.Message),
        JsonException json => (DataError, json.Message),
        ArgumentException => (DataError, FirstLine(e.Message)),
        IOException => (DataError, e.Message),
        _ => (InternalError, $"{e.GetType().Name}: {e.Message} (run with --verbosity debug for the stack trace)"),
    };

    private static string FirstLine(string message)
    {
        // ArgumentException appends " (Parameter 'x')", which names a C# property; the caller names the flag instead.
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        string first = (newline < 0 ? message : message[..newline]).Trim();
        return System.Text.RegularExpressions.Regex.Replace(first, @"\s*\(Parameter '[^']*'\)$", string.Empty);
    }
}
