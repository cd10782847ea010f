using System.CommandLine;
using System.CommandLine.Parsing;
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
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        return RunAsync(args, StandardInput.Console, output, error, interactive, cancellationToken);
    }

    /// <summary>Runs the command line reading texts from <paramref name="input"/> (tests give their own).</summary>
    internal static async Task<int> RunAsync(string[] args, StandardInput input, TextWriter output, TextWriter error, bool interactive = false, CancellationToken cancellationToken = default)
    {
        var global = new GlobalOptions();
        Command root = BuildRoot(global, input, output, error, interactive);
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
            if (UnknownOption(parsed) is { } unknown)
            {
                throw new UsageException(
                    $"unknown option '{unknown}'{Suggestion(parsed.CommandResult.Command, unknown)}. A value that starts with '-' goes after '--', as in: nerclassify predict DIR -- \"-text\".",
                    showHelp: true);
            }

            return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            int code = Report(e, parsed, global, error);
            if (e is UsageException { ShowHelp: true })
            {
                WriteHelp(root, parsed, output, error);
            }

            return code;
        }
    }

    /// <summary>
    /// An argument value that looks like an option (<c>--fromat</c>, <c>-x</c>) before any <c>--</c>. System.CommandLine
    /// gives a command's arguments any token it does not know as an option, so a mistyped option would otherwise become
    /// a text to predict or a path (or, when a path is then left over, an error about the path rather than the option).
    /// </summary>
    private static string? UnknownOption(ParseResult parsed)
    {
        IReadOnlyList<Token> tokens = parsed.Tokens;
        int doubleDash = tokens.Count;
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type == TokenType.DoubleDash)
            {
                doubleDash = i;
                break;
            }
        }

        foreach (ArgumentResult argument in parsed.CommandResult.Children.OfType<ArgumentResult>())
        {
            foreach (Token token in argument.Tokens)
            {
                string value = token.Value;
                bool looksLikeOption = value.Length > 1 && value[0] == '-' && (char.IsLetter(value[1]) || value[1] == '-') && !value.Any(char.IsWhiteSpace);
                if (looksLikeOption && IndexOf(tokens, token) < doubleDash)
                {
                    return value;
                }
            }
        }

        return null;

        // The parse result hands the argument the very token objects it lists, so position is found by reference.
        static int IndexOf(IReadOnlyList<Token> tokens, Token token)
        {
            for (int i = 0; i < tokens.Count; i++)
            {
                if (ReferenceEquals(tokens[i], token))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>" (did you mean '--format'?)" when one of the command's options is at most two edits away.</summary>
    private static string Suggestion(Command command, string unknown)
    {
        string? best = null;
        int bestDistance = 3;
        IEnumerable<Option> options = command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options.Where(o => o.Recursive)));
        foreach (string name in options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)))
        {
            int distance = EditDistance(unknown, name);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        return best is null ? string.Empty : $" (did you mean '{best}'?)";
    }

    /// <summary>Edits (insert, delete, substitute, swap two neighbours) from one name to the other.</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>Prints the help of the command the arguments named, as <c>--help</c> would.</summary>
    private static void WriteHelp(Command root, ParseResult parsed, TextWriter output, TextWriter error)
    {
        var path = new List<string>();
        for (SymbolResult? result = parsed.CommandResult; result is CommandResult command && command.Command != root; result = result.Parent)
        {
            path.Insert(0, command.Command.Name);
        }

        path.Add("--help");
        root.Parse(path).Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private static Command BuildRoot(GlobalOptions global, StandardInput input, TextWriter output, TextWriter error, bool interactive)
    {
        // A plain command rather than RootCommand, so help says "nerclassify" whatever the host process is called.
        var root = new Command(RootName, "Train, evaluate, predict with, export and inspect NerClassify models (NER, sentence classification, multitask).")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
        };
        global.AddTo(root);
        var context = new CliContextFactory(global, input, output, error, interactive);
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
