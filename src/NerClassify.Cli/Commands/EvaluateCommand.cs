using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NerClassify.Cli.Output;
using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.Inference;
using NerClassify.Metrics;
using NerClassify.Models;
using NerClassify.Training;

namespace NerClassify.Cli.Commands;

/// <summary><c>nerclassify evaluate DIR FILE</c>: the seqeval-style entity report, the classification report and a confusion-matrix PNG.</summary>
internal static class EvaluateCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(CliContextFactory contexts)
    {
        Argument<string> model = ModelOpener.ModelArgument();
        var data = new Argument<string>("FILE") { Description = "A CoNLL file (entities; with --labels also sentence classes), or a text-label file for a sentence classifier." };
        var labels = new Option<string?>("--labels") { Description = "A sentence-label file (sentence, label, text) joined to the CoNLL file by sentence index." };
        var json = new Option<bool>("--json") { Description = "Write the reports as JSON instead of text." };
        var strict = new Option<bool>("--strict") { Description = "Also score entities in seqeval's strict mode (IOB2: an entity must start with B-)." };
        var plot = new Option<string?>("--plot")
        {
            Description = "The confusion-matrix PNG to write (sentence classes, or word tags for an entity model). Default: confusion-matrix-FILE.png in --plots, or next to the model.",
        };
        Option<string?> plots = PlotsOption("The folder for the confusion-matrix PNG. Default: the model directory (or the folder of an .onnx file).");
        var normalize = new Option<bool>("--normalize") { Description = "Draw each true class's row as shares that sum to 1 instead of counts." };
        Option<bool> documentContext = DocumentContextOption();
        Option<Backend> backend = ModelOpener.BackendOption();
        Option<int> batchSize = ModelOpener.BatchSizeOption();
        var command = new Command("evaluate", "Score a model on labelled data.") { model, data };
        foreach (Option option in new Option[] { labels, json, strict, plot, plots, normalize, documentContext, backend, batchSize })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            CliContext context = contexts.Create(parsed);
            string modelPath = parsed.GetValue(model)!;
            string dataPath = parsed.GetValue(data)!;
            if (parsed.GetValue(plot) is not null && parsed.GetValue(plots) is not null)
            {
                throw new UsageException("Give --plot FILE or --plots DIR, not both.");
            }

            var options = new PredictorOptions { BatchSize = parsed.GetValue(batchSize) };
            using INerPredictor predictor = ModelOpener.Open(modelPath, parsed.GetValue(backend), options.Validate(), context.LoggerFactory);
            Scores scores = await ScoreAsync(context, predictor, dataPath, parsed.GetValue(labels), parsed.GetValue(strict), parsed.GetValue(documentContext), options.BatchSize, cancellationToken).ConfigureAwait(false);

            // Never into the current directory unasked: beside the model, or where --plots/--plot say.
            string plotPath = parsed.GetValue(plot)
                ?? Path.Combine(parsed.GetValue(plots) ?? ModelFolder(modelPath), $"confusion-matrix-{Path.GetFileNameWithoutExtension(dataPath)}.png");
            if (scores.Confusion is { } confusion)
            {
                Plots.Confusion(plotPath, confusion, scores.Sentences is null ? "Word tags" : "Sentence classes", parsed.GetValue(normalize));
            }

            if (parsed.GetValue(json))
            {
                context.Output.WriteLine(JsonSerializer.Serialize(new JsonReport(scores.Entities, scores.StrictEntities, scores.Sentences), Json));
            }
            else
            {
                WriteText(context.Output, scores);
            }

            if (scores.Confusion is not null)
            {
                context.Say($"Wrote the confusion matrix to {plotPath}.");
            }

            return CliApplication.Success;
        });
        return command;
    }

    /// <summary>Predicts every sentence (with a progress bar) and scores the predictions.</summary>
    internal static async Task<Scores> ScoreAsync(CliContext context, INerPredictor predictor, string dataPath, string? labelsPath, bool strict, bool documentContext, int batchSize, CancellationToken cancellationToken)
    {
        ModelConfig config = predictor.Config;
        bool sentencesOnly = !config.Task.HasTokenHead();
        if (sentencesOnly && labelsPath is null && documentContext)
        {
            throw new UsageException("--document-context needs a CoNLL file (its -DOCSTART- lines mark the documents), not a text-label file.");
        }

        // A text-label file for a sentence classifier; with a labels file, the CoNLL file joined to it (every sentence
        // of it with --document-context, so that unlabelled sentences still inform their documents); else the tags only.
        TaskKind loadAs = (sentencesOnly, labelsPath is null) switch
        {
            (true, true) => config.Task,
            (_, true) => TaskKinds.FromHeads(token: true, sequence: false),
            _ when documentContext => TaskKinds.FromHeads(token: true, sequence: true),
            _ => config.Task,
        };
        IReadOnlyList<TrainingExample> examples = await TrainingData.LoadAsync(loadAs, dataPath, loadAs.HasSequenceHead() ? labelsPath : null, cancellationToken).ConfigureAwait(false);
        if (examples.Count == 0)
        {
            throw new InvalidDataException($"{dataPath}: the file holds no sentences.");
        }

        IReadOnlyList<Prediction> predictions = await PredictAllAsync(context, predictor, examples.Select(e => e.Words).ToArray(), batchSize, "Evaluating", cancellationToken).ConfigureAwait(false);
        if (documentContext)
        {
            ConllCorpus corpus = await new ConllReader().LoadAsync(dataPath, cancellationToken: cancellationToken).ConfigureAwait(false);
            predictions = DocumentContext.ApplyByDocument(predictions, corpus.Sentences.Select(s => s.DocumentIndex).ToArray());
        }

        EntityReport? entities = null;
        EntityReport? strictEntities = null;
        ConfusionMatrix? confusion = null;
        int[] tagged = Enumerable.Range(0, examples.Count).Where(i => examples[i].Tags is not null).ToArray();
        if (config.TokenLabels is not null && tagged.Length > 0)
        {
            IReadOnlyList<string>[] gold = tagged.Select(i => examples[i].Tags!).ToArray();
            IReadOnlyList<string>[] predicted = tagged.Select(i => predictions[i].Tags).ToArray();
            entities = EntityMetrics.Compute(gold, predicted);
            if (strict)
            {
                strictEntities = EntityMetrics.Compute(gold, predicted, LabelScheme.Iob2, EntityMatchingMode.Strict);
            }

            string[] tagNames = config.TokenLabels.Concat(gold.SelectMany(t => t)).Distinct(StringComparer.Ordinal).ToArray();
            confusion = ClassificationMetrics.Compute(gold.SelectMany(t => t).ToArray(), predicted.SelectMany(t => t).ToArray(), tagNames).ConfusionMatrix;
        }

        ClassificationReport? sentences = null;
        int[] labelled = Enumerable.Range(0, examples.Count).Where(i => examples[i].SentenceLabel is not null).ToArray();
        if (config.SequenceLabels is not null && labelled.Length > 0)
        {
            string[] gold = labelled.Select(i => examples[i].SentenceLabel!).ToArray();
            string? unknown = gold.FirstOrDefault(g => !config.SequenceLabels.Contains(g, StringComparer.Ordinal));
            if (unknown is not null)
            {
                throw new InvalidDataException($"{labelsPath ?? dataPath}: the sentence label '{unknown}' is not one the model knows ({string.Join(", ", config.SequenceLabels)}).");
            }

            string[] predicted = labelled.Select(i => predictions[i].Sentence!.Label).ToArray();
            sentences = ClassificationMetrics.Compute(gold, predicted, config.SequenceLabels);
            confusion = sentences.ConfusionMatrix;
        }

        if (entities is null && sentences is null)
        {
            throw new InvalidDataException($"{dataPath}: nothing to score: the file has no {(config.TokenLabels is null ? "sentence labels (give --labels)" : "entity tags")} for this {config.Task} model.");
        }

        return new Scores(entities, strictEntities, sentences, confusion);
    }

    /// <summary>The <c>--plots DIR</c> option that <c>evaluate</c> and <c>train</c> share.</summary>
    internal static Option<string?> PlotsOption(string description) => new("--plots") { Description = description };

    /// <summary>The folder a model lives in: the model directory itself, or the folder of an <c>.onnx</c> file.</summary>
    private static string ModelFolder(string modelPath) =>
        File.Exists(modelPath) ? Path.GetDirectoryName(Path.GetFullPath(modelPath))! : modelPath;

    /// <summary>The <c>--document-context</c> flag that <c>predict</c> and <c>evaluate</c> share.</summary>
    internal static Option<bool> DocumentContextOption() => new("--document-context")
    {
        Description = "Revise each sentence's prediction by the other sentences of its document (CoNLL: between -DOCSTART- lines; texts: all of them): "
            + "an uncertain sentence class leans towards the document's classes, and repeated entity mentions agree on one type.",
    };

    /// <summary>Predicts pre-split sentences in chunks, moving a progress bar.</summary>
    internal static Task<IReadOnlyList<Prediction>> PredictAllAsync(CliContext context, INerPredictor predictor, IReadOnlyList<IReadOnlyList<string>> sentences, int batchSize, string description, CancellationToken cancellationToken) =>
        context.Progress.RunAsync(description, bar => Task.Run<IReadOnlyList<Prediction>>(
            () =>
            {
                var predictions = new List<Prediction>(sentences.Count);
                int chunk = Math.Max(1, batchSize * 4);
                for (int start = 0; start < sentences.Count; start += chunk)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    IReadOnlyList<IReadOnlyList<string>> slice = sentences.Skip(start).Take(chunk).ToArray();
                    predictions.AddRange(predictor.PredictBatch(slice, cancellationToken));
                    bar.Update(predictions.Count, sentences.Count, $"{description} {predictions.Count}/{sentences.Count}");
                }

                return predictions;
            },
            cancellationToken));

    private static void WriteText(TextWriter output, Scores scores)
    {
        var inv = CultureInfo.InvariantCulture;
        if (scores.Entities is { } entities)
        {
            output.WriteLine("Entities (seqeval, lenient):");
            output.WriteLine(entities.ToText(4));
            output.WriteLine(string.Create(inv, $"entity F1 {entities.F1:F4}  precision {entities.Precision:F4}  recall {entities.Recall:F4}  token accuracy {entities.TokenAccuracy:F4}"));
        }

        if (scores.StrictEntities is { } strict)
        {
            output.WriteLine();
            output.WriteLine("Entities (seqeval, strict, IOB2):");
            output.WriteLine(strict.ToText(4));
            output.WriteLine(string.Create(inv, $"strict entity F1 {strict.F1:F4}"));
        }

        if (scores.Sentences is { } sentences)
        {
            output.WriteLine();
            output.WriteLine("Sentences:");
            output.WriteLine(sentences.ToText(4));
            output.WriteLine(sentences.ConfusionMatrix.ToText());
            output.WriteLine(string.Create(inv, $"sentence accuracy {sentences.Accuracy:F4}  weighted F1 {sentences.WeightedF1:F4}  macro F1 {sentences.MacroF1:F4}"));
        }
    }

    internal sealed record Scores(EntityReport? Entities, EntityReport? StrictEntities, ClassificationReport? Sentences, ConfusionMatrix? Confusion);

    private sealed record JsonReport(
        [property: JsonPropertyName("entities")] EntityReport? Entities,
        [property: JsonPropertyName("entities_strict")] EntityReport? EntitiesStrict,
        [property: JsonPropertyName("sentences")] ClassificationReport? Sentences);
}
