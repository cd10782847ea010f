// Labels the sentences of a CoNLL file with topics by asking an OpenAI-compatible chat model, as in the report,
// and writes them in the sentence-label format (sentence<TAB>label<TAB>text).
//
//   NERCLASSIFY_LLM_ENDPOINT  base address of the service (default https://api.openai.com/v1; Ollama: http://localhost:11434/v1)
//   NERCLASSIFY_LLM_KEY       API key (may be empty for local servers)
//   NERCLASSIFY_LLM_MODEL     model name (default gpt-4o-mini, the report's model)
//
//   dotnet run -- <input.conll> <output.tsv> [--limit N] [--cache path]
//
// Answers are cached (default: <output.tsv>.cache.jsonl), so an interrupted run (Ctrl+C) resumes where it stopped
// and a repeated run sends no requests.
using System.ClientModel;
using Microsoft.Extensions.AI;
using NerClassify.Data;
using NerClassify.Labelling;
using NerClassify.Samples.Labelling;
using OpenAI;
using Spectre.Console;

if (!CommandLine.TryParse(args, out var command, out string? problem))
{
    AnsiConsole.MarkupLine($"[red]{Markup.Escape(problem)}[/]");
    AnsiConsole.WriteLine("usage: NerClassify.Samples.Labelling <input.conll> <output.tsv> [--limit N] [--cache path]");
    return 2;
}

string endpoint = Environment.GetEnvironmentVariable("NERCLASSIFY_LLM_ENDPOINT") is { Length: > 0 } e ? e : "https://api.openai.com/v1";
string key = Environment.GetEnvironmentVariable("NERCLASSIFY_LLM_KEY") is { Length: > 0 } k ? k : "unused";
string model = Environment.GetEnvironmentVariable("NERCLASSIFY_LLM_MODEL") is { Length: > 0 } m ? m : "gpt-4o-mini";

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, eventArgs) =>
{
    eventArgs.Cancel = true;
    cancellation.Cancel();
};

var sentences = new List<SentenceToLabel>();
await foreach (var sentence in new ConllReader().ReadAsync(command.InputPath, cancellationToken: cancellation.Token))
{
    if (sentences.Count == command.Limit)
    {
        break;
    }

    sentences.Add(new SentenceToLabel(sentence.Index, sentence.Text));
}

AnsiConsole.MarkupLine($"Read [bold]{sentences.Count}[/] sentences from {Markup.Escape(command.InputPath)}; model [bold]{Markup.Escape(model)}[/] at {Markup.Escape(endpoint)}.");

using IChatClient client = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(endpoint) })
    .GetChatClient(model)
    .AsIChatClient();
await using var cache = await SentenceLabelCache.OpenAsync(command.CachePath);
if (cache.Count > 0)
{
    AnsiConsole.MarkupLine($"Cache {Markup.Escape(cache.Path)} holds {cache.Count} answers.");
}

var labeller = new SentenceLabeller(client, SentenceLabellerOptions.Default with { ModelId = model }, cache);
SentenceLabellingResult run;
try
{
    run = await AnsiConsole.Progress()
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
        .StartAsync(async context =>
        {
            var task = context.AddTask("Labelling", maxValue: Math.Max(1, sentences.Count));
            return await labeller.LabelAsync(sentences, new ProgressBarReporter(task), cancellation.Token);
        });
}
catch (OperationCanceledException)
{
    AnsiConsole.MarkupLine($"[yellow]Stopped.[/] The answers received so far are kept in {Markup.Escape(cache.Path)}; run again to continue.");
    return 130;
}

int rows = SentenceLabelWriter.Write(command.OutputPath, run.Results);

var summary = run.Summary;
var table = new Table().AddColumn("Label").AddColumn(new TableColumn("Sentences").RightAligned());
for (int i = 0; i < summary.Categories.Count; i++)
{
    table.AddRow($"{i} {Markup.Escape(summary.Categories[i])}", summary.LabelCounts[i].ToString());
}

table.AddRow("[grey]unlabelled[/]", summary.Unlabelled.ToString());
AnsiConsole.Write(table);
AnsiConsole.MarkupLine($"Wrote {rows} rows to {Markup.Escape(command.OutputPath)}; {summary.CacheHits} answers from the cache, {summary.ClientCalls} requests.");
foreach (var result in run.Results.Where(r => !r.IsLabelled).Take(5))
{
    AnsiConsole.MarkupLine($"[grey]unlabelled {result.SentenceIndex}: answer '{Markup.Escape(result.RawAnswer ?? "")}' {Markup.Escape(result.Error ?? "")}[/]");
}

return 0;
