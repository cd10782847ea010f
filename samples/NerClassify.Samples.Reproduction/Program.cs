using System.Diagnostics;
using System.Text.Json;
using NerClassify.Data;
using NerClassify.Samples.Reproduction;

// Reproduces the report's experiments on CoNLL-2003 with the offline MiniLM encoder; see docs/reproduction.md.
ReproductionOptions options = ReproductionOptions.Parse(args);
Directory.CreateDirectory(options.OutputDirectory);
var clock = Stopwatch.StartNew();
Console.WriteLine($"Data: {options.DataDirectory}  Output: {Path.GetFullPath(options.OutputDirectory)}");
Corpus corpus = await Corpus.LoadAsync(options.DataDirectory, options.TestConll, options.TestLabels);
File.WriteAllText(Path.Combine(options.OutputDirectory, "valid-halves.tsv"), ValidHalves.Describe(corpus.ValidSentences, corpus.ValidTopics));
if (options.ChooseDocumentContext is { } savedModel)
{
    // Re-decides document context on the choose half from a saved model, without training.
    DocumentContextChoice.Run(savedModel, corpus, options.OutputDirectory);
    return;
}

var experiments = new Experiments(options, corpus);
var results = new List<RunResult>();
TimeSpan? recordedWallTime = null;
if (options.Replot is { } saved)
{
    // Rebuild report.md and the figures from an earlier run's results.json, without training.
    using JsonDocument document = JsonDocument.Parse(File.ReadAllText(saved));
    results.AddRange(document.RootElement.GetProperty("results").Deserialize<RunResult[]>()!);
    recordedWallTime = TimeSpan.FromSeconds(document.RootElement.GetProperty("wallSeconds").GetDouble());
    options = options with { Experiments = [] };
}

foreach (string model in new[] { "token", "sequence", "multitask", "uncertainty", "ceiling" }.Where(options.Experiments.Contains))
{
    foreach (int seed in model == "uncertainty" ? options.UncertaintySeeds ?? options.Seeds : options.Seeds)
    {
        results.Add(await experiments.RunAsync(model, model == "ceiling" ? corpus.TrainSentences.Count : options.TrainSize, seed));
    }
}

if (options.Experiments.Contains("curve"))
{
    foreach (int size in options.CurveSizes.Where(s => s != options.TrainSize || !options.Experiments.Contains("token")))
    {
        results.Add(await experiments.RunAsync("token", size, options.Seeds[0]));
    }
}

var trainSentences = corpus.TrainRows.Take(options.TrainSize).Select(r => r.Sentence).ToArray();
var report = new Report(options, results, Counts(trainSentences.SelectMany(s => s.Tags)), Counts(corpus.TrainRows.Take(options.TrainSize).Select(r => r.Label)), recordedWallTime ?? clock.Elapsed);
report.Write();
if (recordedWallTime is null)
{
    File.WriteAllText(Path.Combine(options.OutputDirectory, "results.json"), JsonSerializer.Serialize(new { options, results, wallSeconds = clock.Elapsed.TotalSeconds }, new JsonSerializerOptions { WriteIndented = true }));
}

Console.WriteLine($"Done in {clock.Elapsed:hh\\:mm\\:ss}. Wrote report.md, results.json and figures to {Path.GetFullPath(options.OutputDirectory)}");

// Label counts, most frequent first, for the distribution figures.
static KeyValuePair<string, int>[] Counts(IEnumerable<string> labels) =>
    labels.GroupBy(l => l, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => KeyValuePair.Create(g.Key, g.Count())).ToArray();
