using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NerClassify.Samples.Labelling;

/// <summary>The sample's arguments: <c>input output [--limit N] [--cache path]</c>.</summary>
internal sealed record CommandLine(string InputPath, string OutputPath, int? Limit, string CachePath)
{
    public static bool TryParse(string[] args, [NotNullWhen(true)] out CommandLine? command, [NotNullWhen(false)] out string? problem)
    {
        command = null;
        var positional = new List<string>();
        int? limit = null;
        string? cache = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--limit" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
                    {
                        problem = $"--limit needs a positive number, not '{args[i]}'.";
                        return false;
                    }

                    limit = n;
                    break;
                case "--cache" when i + 1 < args.Length:
                    cache = args[++i];
                    break;
                case "--limit" or "--cache":
                    problem = $"{args[i]} needs a value.";
                    return false;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        problem = $"Unknown option '{args[i]}'.";
                        return false;
                    }

                    positional.Add(args[i]);
                    break;
            }
        }

        if (positional.Count != 2)
        {
            problem = "Expected an input CoNLL file and an output TSV file.";
            return false;
        }

        if (!File.Exists(positional[0]))
        {
            problem = $"Input file '{positional[0]}' was not found.";
            return false;
        }

        problem = null;
        command = new CommandLine(positional[0], positional[1], limit, cache ?? positional[1] + ".cache.jsonl");
        return true;
    }
}
