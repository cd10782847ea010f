using System.ClientModel;
using System.CommandLine;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using NerClassify.Data;
using NerClassify.Labelling;
using OpenAI;

namespace NerClassify.Cli.Commands;

/// <summary>
/// <c>nerclassify label --input FILE --output FILE</c>: labels the sentences of a CoNLL file with an OpenAI-compatible
/// chat model (NERCLASSIFY_LLM_ENDPOINT, NERCLASSIFY_LLM_KEY, NERCLASSIFY_LLM_MODEL) into a sentence-label file, with
/// a resumable cache of answers.
/// </summary>
internal static class LabelCommand
{
    public static Command Create(CliContextFactory contexts)
    {
        var input = new Option<string>("--input", "-i") { Description = "The CoNLL file whose sentences to label.", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The sentence-label file to write (sentence, label, text).", Required = true };
        var limit = new Option<int?>("--limit") { Description = "Label only the first N sentences. Default: all." };
        var cache = new Option<string?>("--cache") { Description = "The answer cache (JSON lines); an interrupted run resumes from it. Default: OUTPUT.cache.jsonl." };
        var command = new Command(
            "label",
            "Label sentences with an LLM (OpenAI-compatible endpoint from NERCLASSIFY_LLM_ENDPOINT, NERCLASSIFY_LLM_KEY, NERCLASSIFY_LLM_MODEL; default https://api.openai.com/v1, gpt-4o-mini).");
        foreach (Option option in new Option[] { input, output, limit, cache })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            CliContext context = contexts.Create(parsed);
            string inputPath = parsed.GetValue(input)!;
            string outputPath = parsed.GetValue(output)!;
            if (parsed.GetValue(limit) is < 1)
            {
                throw new UsageException("--limit must be at least 1.");
            }

            var sentences = new List<SentenceToLabel>();
            await foreach (ConllSentence sentence in new ConllReader().ReadAsync(inputPath, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (sentences.Count == parsed.GetValue(limit))
                {
                    break;
                }

                sentences.Add(new SentenceToLabel(sentence.Index, sentence.Text));
            }

            string endpoint = Environment.GetEnvironmentVariable("NERCLASSIFY_LLM_ENDPOINT") is { Length: > 0 } e ? e : "https://api.openai.com/v1";
            string key = Environment.GetEnvironmentVariable("NERCLASSIFY_LLM_KEY") is { Length: > 0 } k ? k : "unused";
            string modelId = Environment.GetEnvironmentVariable("NERCLASSIFY_LLM_MODEL") is { Length: > 0 } m ? m : "gpt-4o-mini";
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? endpointUri))
            {
                throw new UsageException($"NERCLASSIFY_LLM_ENDPOINT: '{endpoint}' is not an absolute URL such as http://localhost:11434/v1.");
            }

            context.Say($"Labelling {sentences.Count} sentences from {inputPath} with {modelId} at {endpoint}.");
            using IChatClient client = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = endpointUri })
                .GetChatClient(modelId)
                .AsIChatClient();
            await using SentenceLabelCache answers = await SentenceLabelCache.OpenAsync(
                parsed.GetValue(cache) ?? outputPath + ".cache.jsonl",
                context.LoggerFactory.CreateLogger<SentenceLabelCache>(),
                cancellationToken).ConfigureAwait(false);
            var labeller = new SentenceLabeller(client, SentenceLabellerOptions.Default with { ModelId = modelId }, answers, context.LoggerFactory.CreateLogger<SentenceLabeller>());
            SentenceLabellingResult run;
            try
            {
                run = await context.Progress.RunAsync("Labelling", bar => labeller.LabelAsync(
                    sentences,
                    new SynchronousProgress<LabellingProgress>(p => bar.Update(p.Done, p.Total, $"Labelling ({p.CacheHits} cached, {p.Unlabelled} unlabelled)")),
                    cancellationToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                context.Error.WriteLine($"Stopped. The answers received so far are kept in {answers.Path}; run again to continue.");
                throw;
            }

            int rows = SentenceLabelWriter.Write(outputPath, run.Results);
            context.Output.WriteLine($"Wrote {rows} labelled sentences to {outputPath}; {run.Summary.CacheHits} answers from the cache, {run.Summary.ClientCalls} requests, {run.Summary.Unlabelled} unlabelled.");
            return CliApplication.Success;
        });
        return command;
    }
}
