using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NerClassify.Data;
using NerClassify.Inference;

namespace NerClassify.Cli.Commands;

/// <summary><c>nerclassify predict DIR [TEXT...]</c>: entities with character spans and the sentence label, as a table, JSON lines or CoNLL.</summary>
internal static class PredictCommand
{
    // UTF-8 as is: quotes as \" and non-ASCII letters unescaped (the default encoder writes \u0022 and \u00E9), which
    // is what JSON-lines readers and people expect; the output is not embedded in HTML.
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(CliContextFactory contexts)
    {
        Argument<string> model = ModelOpener.ModelArgument();
        var texts = new Argument<string[]>("TEXT")
        {
            Description = "Texts to predict; without TEXT and --input, one text per line from standard input.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var input = new Option<string?>("--input", "-i") { Description = "A file of texts, one per line, or a CoNLL file (words in the first column)." };
        var inputFormat = new Option<string>("--input-format")
        {
            Description = "How to read --input: lines, conll, or auto (CoNLL when the first line is -DOCSTART- or every early line has a tag in its last column).",
            DefaultValueFactory = _ => "auto",
        };
        inputFormat.AcceptOnlyFromAmong("auto", "lines", "conll");
        var format = new Option<string>("--format", "-f")
        {
            Description = "table: readable; jsonl: one JSON object per text (text, entities with type/start/end/text/score, label, label_score); conll: word and tag per line.",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "jsonl", "conll");
        Option<bool> documentContext = EvaluateCommand.DocumentContextOption();
        Option<Backend> backend = ModelOpener.BackendOption();
        Option<int> batchSize = ModelOpener.BatchSizeOption();
        var command = new Command("predict", "Find entities and sentence labels in texts.") { model, texts };
        foreach (Option option in new Option[] { input, inputFormat, format, documentContext, backend, batchSize })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            CliContext context = contexts.Create(parsed);
            string[] given = parsed.GetValue(texts) ?? [];
            string? inputPath = parsed.GetValue(input);
            if (given.Length > 0 && inputPath is not null)
            {
                throw new UsageException("Give texts as arguments or --input FILE, not both.");
            }

            // The texts are read before the model loads, so that missing or empty input fails at once.
            Texts work = inputPath is not null ? await ReadInputAsync(inputPath, parsed.GetValue(inputFormat)!, cancellationToken).ConfigureAwait(false)
                : given.Length > 0 ? FromArguments(given)
                : await ReadStandardInputAsync(context.Input, cancellationToken).ConfigureAwait(false);
            var options = new PredictorOptions { BatchSize = parsed.GetValue(batchSize) }.Validate();
            using INerPredictor predictor = ModelOpener.Open(parsed.GetValue(model)!, parsed.GetValue(backend), options, context.LoggerFactory);
            IReadOnlyList<Prediction> predictions = work switch
            {
                { Sentences: { } sentences } => await EvaluateCommand.PredictAllAsync(context, predictor, sentences.Select(s => s.Words).ToArray(), options.BatchSize, "Predicting", cancellationToken).ConfigureAwait(false),
                { FromArguments: true } => predictor.PredictBatch(work.Lines!, cancellationToken),
                _ => await PredictTextsAsync(context, predictor, work.Lines!, options.BatchSize, cancellationToken).ConfigureAwait(false),
            };

            if (parsed.GetValue(documentContext))
            {
                // CoNLL input keeps its documents; texts, from arguments or lines, are one document.
                predictions = work.Sentences is { } conll
                    ? DocumentContext.ApplyByDocument(predictions, conll.Select(s => s.DocumentIndex).ToArray())
                    : DocumentContext.Apply(predictions);
            }

            Write(context.Output, parsed.GetValue(format)!, predictions);
            return CliApplication.Success;
        });
        return command;
    }

    private static Texts FromArguments(string[] given)
    {
        for (int i = 0; i < given.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(given[i]))
            {
                throw new InvalidDataException($"no text given: TEXT argument {i + 1} is empty.");
            }
        }

        return new Texts(given, null, FromArguments: true);
    }

    private static async Task<Texts> ReadStandardInputAsync(StandardInput input, CancellationToken cancellationToken)
    {
        if (input.IsTerminal)
        {
            // Nobody is piping texts in: waiting for typed lines would look like a hang.
            throw new UsageException("no text given: give TEXT arguments, --input FILE, or texts on standard input (one per line).", showHelp: true);
        }

        IReadOnlyList<string> lines = await ReadLinesAsync(input.Reader, dispose: false, cancellationToken).ConfigureAwait(false);
        return lines.Count > 0 ? new Texts(lines, null)
            : throw new InvalidDataException("no text given: standard input holds no text (one text per line).");
    }

    private static async Task<Texts> ReadInputAsync(string path, string format, CancellationToken cancellationToken)
    {
        IReadOnlyList<ConllSentence>? sentences = await ReadConllIfAsync(path, format, cancellationToken).ConfigureAwait(false);
        Texts texts = sentences is not null ? new Texts(null, sentences)
            : new Texts(await ReadLinesAsync(File.OpenText(path), dispose: true, cancellationToken).ConfigureAwait(false), null);
        return (texts.Sentences?.Count ?? texts.Lines!.Count) > 0 ? texts
            : throw new InvalidDataException($"no text given: --input '{path}' holds no text.");
    }

    private static async Task<IReadOnlyList<ConllSentence>?> ReadConllIfAsync(string path, string format, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--input: '{path}' was not found.", path);
        }

        if (format == "lines" || (format == "auto" && !LooksLikeConll(path)))
        {
            return null;
        }

        ConllCorpus corpus = await new ConllReader().LoadAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        return corpus.Sentences;
    }

    /// <summary>CoNLL when the file starts with -DOCSTART-, or each of its first non-blank lines ends in a tag column.</summary>
    private static bool LooksLikeConll(string path)
    {
        string[] lines = File.ReadLines(path).Where(l => l.Trim().Length > 0).Take(20).ToArray();
        if (lines.Length == 0)
        {
            return false;
        }

        if (lines[0].StartsWith("-DOCSTART-", StringComparison.Ordinal))
        {
            return true;
        }

        return lines.All(line =>
        {
            string[] columns = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            string last = columns[^1];
            return columns.Length >= 2 && (last == "O" || (last.Length > 2 && "BIES".Contains(last[0], StringComparison.Ordinal) && last[1] == '-'));
        });
    }

    /// <summary>The non-blank lines of <paramref name="reader"/>; disposes it when asked (a file, not the process's standard input).</summary>
    private static async Task<IReadOnlyList<string>> ReadLinesAsync(TextReader reader, bool dispose, CancellationToken cancellationToken)
    {
        try
        {
            var lines = new List<string>();
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Trim().Length > 0)
                {
                    lines.Add(line);
                }
            }

            return lines;
        }
        finally
        {
            if (dispose)
            {
                reader.Dispose();
            }
        }
    }

    private static async Task<IReadOnlyList<Prediction>> PredictTextsAsync(CliContext context, INerPredictor predictor, IReadOnlyList<string> texts, int batchSize, CancellationToken cancellationToken) =>
        await context.Progress.RunAsync("Predicting", bar => Task.Run<IReadOnlyList<Prediction>>(
            () =>
            {
                var predictions = new List<Prediction>(texts.Count);
                int chunk = Math.Max(1, batchSize * 4);
                for (int start = 0; start < texts.Count; start += chunk)
                {
                    predictions.AddRange(predictor.PredictBatch(texts.Skip(start).Take(chunk).ToArray(), cancellationToken));
                    bar.Update(predictions.Count, texts.Count, $"Predicting {predictions.Count}/{texts.Count}");
                }

                return predictions;
            },
            cancellationToken)).ConfigureAwait(false);

    private static void Write(TextWriter output, string format, IReadOnlyList<Prediction> predictions)
    {
        switch (format)
        {
            case "jsonl":
                foreach (Prediction p in predictions)
                {
                    output.WriteLine(JsonSerializer.Serialize(JsonLine.From(p), Json));
                }

                break;
            case "conll":
                foreach (Prediction p in predictions)
                {
                    if (p.Sentence is { } sentence)
                    {
                        output.WriteLine($"# label = {sentence.Label}");
                    }

                    for (int i = 0; i < p.Words.Count; i++)
                    {
                        output.WriteLine(p.Tags.Count > 0 ? $"{p.Words[i]}\t{p.Tags[i]}" : p.Words[i]);
                    }

                    output.WriteLine();
                }

                break;
            default:
                WriteTable(output, predictions);
                break;
        }
    }

    private static void WriteTable(TextWriter output, IReadOnlyList<Prediction> predictions)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (Prediction p in predictions)
        {
            output.WriteLine(p.Text);
            if (p.Sentence is { } sentence)
            {
                output.WriteLine(string.Create(inv, $"  label  {sentence.Label} ({sentence.Probability:F3})"));
            }

            foreach (EntitySpan entity in p.Entities)
            {
                output.WriteLine(string.Create(inv, $"  {entity.Type,-6} [{entity.Start}..{entity.End})  {entity.Text}  ({entity.Score:F3})"));
            }

            if (p.Entities.Count == 0 && p.Tags.Count > 0)
            {
                output.WriteLine("  (no entities)");
            }

            output.WriteLine();
        }
    }

    /// <summary>The texts to predict: lines (from arguments, a file or standard input) or the sentences of a CoNLL file.</summary>
    private sealed record Texts(IReadOnlyList<string>? Lines, IReadOnlyList<ConllSentence>? Sentences, bool FromArguments = false);

    private sealed record JsonEntity(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("start")] int Start,
        [property: JsonPropertyName("end")] int End,
        [property: JsonPropertyName("text")] string Text,
        [property: JsonPropertyName("score")] float Score);

    private sealed record JsonLine(
        [property: JsonPropertyName("text")] string Text,
        [property: JsonPropertyName("entities")] IReadOnlyList<JsonEntity> Entities,
        [property: JsonPropertyName("label")] string? Label,
        [property: JsonPropertyName("label_score")] float? LabelScore)
    {
        public static JsonLine From(Prediction p) => new(
            p.Text,
            p.Entities.Select(e => new JsonEntity(e.Type, e.Start, e.End, e.Text, e.Score)).ToArray(),
            p.Sentence?.Label,
            p.Sentence?.Probability);
    }
}
