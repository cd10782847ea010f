using System.Globalization;
using System.Text;
using NerClassify.Data;
using ScottPlot;

namespace NerClassify.Samples.Reproduction;

/// <summary>Writes report.md and the figures from the runs.</summary>
internal sealed class Report(ReproductionOptions options, IReadOnlyList<RunResult> results, IReadOnlyList<KeyValuePair<string, int>> tokens, IReadOnlyList<KeyValuePair<string, int>> topics, TimeSpan wallTime)
{
    // The report's published numbers (BERT, 1,000 sentences): Table 2.
    private static readonly Dictionary<string, (double? NerF1, double? NerAccuracy, double? TopicF1, double? TopicAccuracy)> Published = new()
    {
        ["token"] = (84.3, 95.4, null, null),
        ["sequence"] = (null, null, 87.0, 86.9),
        ["multitask"] = (85.0, 96.6, 87.0, 87.0),
    };

    public void Write()
    {
        var markdown = new StringBuilder();
        markdown.AppendLine("# Reproduction of the report's experiments").AppendLine();
        markdown.AppendLine(CultureInfo.InvariantCulture, $"Encoder: all-MiniLM-L6-v2 (offline default). Training set: first {options.TrainSize} rows of `train.tsv` joined to `train.txt`. ");
        markdown.AppendLine(CultureInfo.InvariantCulture, $"Settings: {options.Epochs} epochs ({options.MultitaskEpochs} for multitask), AdamW lr {options.LearningRate}, weight decay 0.01, batch {options.BatchSize}, warm-up {options.WarmupRatio:P0}, casing embedding {options.CasingEmbedding} (input casing {options.CasingInput}), character features {options.CharacterFeatures}, head hidden layer {options.HiddenLayer}, word embeddings {(options.FreezeWordEmbeddings ? "frozen" : "trained")}, constrained decoding {options.ConstrainedDecoding}, CRF {options.Crf}, sentence pooling {(options.MeanPooling ? "mean" : "[CLS]")}, head learning-rate x{options.HeadLearningRateMultiplier}, layer decay {options.LayerDecay}, sentence:token loss weights {options.SequenceWeight}:7, weights averaged over the last {options.AverageLastEpochs} epoch(s), self-training {(options.SelfTraining ? $"on (confidence >= {options.MinConfidence}, at most {options.MaxPseudo?.ToString(CultureInfo.InvariantCulture) ?? "all"} pseudo-labelled sentences, student epochs {options.StudentEpochs?.ToString(CultureInfo.InvariantCulture) ?? "as teacher"}, {options.Rounds} round(s))" : "off")}, seeds {string.Join(", ", options.Seeds)}. ");
        markdown.AppendLine("NER is scored on the full `valid.txt` (entity-level micro F1, seqeval default mode; token accuracy over words); topics on the 1,000 rows of `valid.tsv` (accuracy, support-weighted F1).").AppendLine();
        markdown.AppendLine(CultureInfo.InvariantCulture, $"Wall time of the whole run: {wallTime:hh\\:mm\\:ss}.").AppendLine();

        markdown.AppendLine("## Table 2: the three models (mean ± std over seeds; report's numbers beside)").AppendLine();
        markdown.AppendLine("| Model | NER F1 | report | NER accuracy | report | Topic F1 | report | Topic accuracy | report | s/epoch | examples/s |");
        markdown.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (string model in new[] { "token", "sequence", "multitask", "uncertainty" })
        {
            RunResult[] runs = results.Where(r => r.Model == model && r.TrainSize == options.TrainSize).ToArray();
            if (runs.Length == 0)
            {
                continue;
            }

            var published = Published.GetValueOrDefault(model);
            markdown.AppendLine(CultureInfo.InvariantCulture,
                $"| {Name(model, options.SequenceWeight)} | {Stat(runs.Select(r => r.EntityF1))} | {P(published.NerF1)} | {Stat(runs.Select(r => r.TokenAccuracy))} | {P(published.NerAccuracy)} | " +
                $"{Stat(runs.Select(r => r.TopicWeightedF1))} | {P(published.TopicF1)} | {Stat(runs.Select(r => r.TopicAccuracy))} | {P(published.TopicAccuracy)} | " +
                $"{runs.Average(r => r.SecondsPerEpoch):F1} | {runs.Average(r => r.ExamplesPerSecond):F1} |");
        }

        markdown.AppendLine();
        RunResult[] halved = results.Where(r => r.ChooseHalf is not null && r.ReportHalf is not null).ToArray();
        if (halved.Length > 0)
        {
            // Issue 30: settings are chosen on the choose half; the report half is scored once per final setting.
            markdown.AppendLine("## The halves of valid.txt (sentence alone → in its document; mean ± std over seeds)").AppendLine();
            markdown.AppendLine("| Model | trained on | choose: NER F1 | choose: topic F1 | report: NER F1 | report: topic F1 |").AppendLine("|---|---|---|---|---|---|");
            foreach (var group in halved.GroupBy(r => (r.Model, r.TrainSize)))
            {
                markdown.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Name(group.Key.Model, options.SequenceWeight)} | {group.First().TrainedOn} | " +
                    $"{Stat(group.Select(r => r.ChooseHalf!.EntityF1SentenceAlone))} → {Stat(group.Select(r => r.ChooseHalf!.EntityF1InDocument))} | " +
                    $"{Stat(group.Select(r => r.ChooseHalf!.TopicWeightedF1SentenceAlone))} → {Stat(group.Select(r => r.ChooseHalf!.TopicWeightedF1InDocument))} | " +
                    $"{Stat(group.Select(r => r.ReportHalf!.EntityF1SentenceAlone))} → {Stat(group.Select(r => r.ReportHalf!.EntityF1InDocument))} | " +
                    $"{Stat(group.Select(r => r.ReportHalf!.TopicWeightedF1SentenceAlone))} → {Stat(group.Select(r => r.ReportHalf!.TopicWeightedF1InDocument))} |");
            }

            markdown.AppendLine();
        }

        RunResult[] tested = results.Where(r => r.TestEntityF1 is not null || r.TestTopicWeightedF1 is not null).ToArray();
        if (tested.Length > 0)
        {
            markdown.AppendLine(CultureInfo.InvariantCulture, $"## Test data ({Path.GetFileName(options.TestConll)}{(options.TestLabels is null ? "" : ", " + Path.GetFileName(options.TestLabels))})").AppendLine();
            markdown.AppendLine("| Model | NER F1 | NER accuracy | Topic F1 | Topic accuracy |").AppendLine("|---|---|---|---|---|");
            foreach (var group in tested.Where(r => r.TrainSize == options.TrainSize).GroupBy(r => r.Model))
            {
                markdown.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Name(group.Key, options.SequenceWeight)} | {Stat(group.Select(r => r.TestEntityF1))} | {Stat(group.Select(r => r.TestTokenAccuracy))} | {Stat(group.Select(r => r.TestTopicWeightedF1))} | {Stat(group.Select(r => r.TestTopicAccuracy))} |");
            }

            markdown.AppendLine();
        }

        AppendFigure(markdown, "Figure 1: token labels in the training set", "figure1-token-labels.png", Bars(tokens, "Token label", "figure1-token-labels.png"));
        AppendCurve(markdown);
        AppendFigure(markdown, "Figure 4: sentence labels in the training set", "figure4-sentence-labels.png", Bars(topics, "Topic", "figure4-sentence-labels.png"));
        AppendConfusion(markdown);

        markdown.AppendLine("## All runs").AppendLine();
        markdown.AppendLine("| Model | N | seed | NER F1 | NER acc | Topic F1 | Topic acc | s/epoch | training s | trained on |");
        markdown.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (RunResult r in results)
        {
            markdown.AppendLine(CultureInfo.InvariantCulture, $"| {Name(r.Model, options.SequenceWeight)} | {r.TrainSize} | {r.Seed} | {Experiments.Format(r.EntityF1)} | {Experiments.Format(r.TokenAccuracy)} | {Experiments.Format(r.TopicWeightedF1)} | {Experiments.Format(r.TopicAccuracy)} | {r.SecondsPerEpoch:F1} | {r.TrainingSeconds:F0} | {r.TrainedOn} |");
        }

        File.WriteAllText(Path.Combine(options.OutputDirectory, "report.md"), markdown.ToString());
    }

    private void AppendCurve(StringBuilder markdown)
    {
        RunResult[] curve = results.Where(r => r.Model == "token" && r.Seed == options.Seeds[0]).OrderBy(r => r.TrainSize).ToArray();
        if (curve.Length < 2)
        {
            return;
        }

        var plot = new Plot();
        double[] sizes = curve.Select(r => Math.Log10(r.TrainSize)).ToArray();
        var f1 = plot.Add.Scatter(sizes, curve.Select(r => r.EntityF1 ?? 0).ToArray());
        f1.LegendText = "Entity F1 (%)";
        var accuracy = plot.Add.Scatter(sizes, curve.Select(r => r.TokenAccuracy ?? 0).ToArray());
        accuracy.LegendText = "Token accuracy (%)";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(sizes, curve.Select(r => r.TrainSize.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.XLabel("Training sentences (log scale)");
        plot.YLabel("%");
        plot.ShowLegend();
        plot.SavePng(Path.Combine(options.OutputDirectory, "figure2-learning-curve.png"), 800, 450);
        AppendFigure(markdown, "Figure 2: NER F1 and accuracy against training-set size", "figure2-learning-curve.png", true);
        markdown.AppendLine("| N | NER F1 | NER accuracy |").AppendLine("|---|---|---|");
        foreach (RunResult r in curve)
        {
            markdown.AppendLine(CultureInfo.InvariantCulture, $"| {r.TrainSize} | {Experiments.Format(r.EntityF1)} | {Experiments.Format(r.TokenAccuracy)} |");
        }

        markdown.AppendLine();
    }

    private void AppendConfusion(StringBuilder markdown)
    {
        RunResult? run = results.FirstOrDefault(r => r.Model == "sequence" && r.ConfusionMatrix is not null);
        if (run is null)
        {
            return;
        }

        int n = run.ConfusionMatrix!.Length;
        var plot = new Plot();
        double max = run.ConfusionMatrix.SelectMany(row => row).DefaultIfEmpty(1).Max();
        for (int truth = 0; truth < n; truth++)
        {
            for (int predicted = 0; predicted < n; predicted++)
            {
                // The first class is the top row; darker blue means more sentences.
                int count = run.ConfusionMatrix[truth][predicted];
                double shade = max == 0 ? 0 : Math.Sqrt(count / max);
                double y = n - 1 - truth;
                var cell = plot.Add.Rectangle(predicted - 0.5, predicted + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = new Color((byte)(247 - (shade * 239)), (byte)(251 - (shade * 203)), (byte)(255 - (shade * 148)));
                cell.LineColor = Colors.White;
                var text = plot.Add.Text(count.ToString(CultureInfo.InvariantCulture), predicted, y);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 16;
                text.LabelFontColor = shade > 0.6 ? Colors.White : Colors.Black;
            }
        }

        double[] positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, Corpus.TopicOrder);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, Corpus.TopicOrder.Reverse().ToArray());
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.XLabel("Predicted");
        plot.YLabel("True");
        plot.SavePng(Path.Combine(options.OutputDirectory, "figure5-confusion-matrix.png"), 600, 550);
        AppendFigure(markdown, $"Figure 5: confusion matrix of the sentence classifier (seed {run.Seed})", "figure5-confusion-matrix.png", true);
    }

    private bool Bars(IReadOnlyList<KeyValuePair<string, int>> distribution, string axis, string file)
    {
        var plot = new Plot();
        var entries = distribution.ToArray();
        plot.Add.Bars(entries.Select(e => (double)e.Value).ToArray());
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, entries.Length).Select(i => (double)i).ToArray(), entries.Select(e => e.Key).ToArray());
        plot.XLabel(axis);
        plot.YLabel("Count");
        plot.Axes.Margins(bottom: 0);
        plot.SavePng(Path.Combine(options.OutputDirectory, file), 800, 450);
        return true;
    }

    private static void AppendFigure(StringBuilder markdown, string caption, string file, bool written)
    {
        if (written)
        {
            markdown.AppendLine(CultureInfo.InvariantCulture, $"## {caption}").AppendLine().AppendLine(CultureInfo.InvariantCulture, $"![{caption}]({file})").AppendLine();
        }
    }

    private static string Name(string model, double sequenceWeight) => model switch
    {
        "token" => "Single-task NER",
        "sequence" => "Single-task topics",
        "multitask" => string.Create(CultureInfo.InvariantCulture, $"Multitask (alpha:beta = {sequenceWeight}:7)"),
        "uncertainty" => "Multitask (learned weights)",
        "ceiling" => "Multitask, every gold label (ceiling)",
        _ => model,
    };

    private static string Stat(IEnumerable<double?> values)
    {
        double[] present = values.Where(v => v is not null).Select(v => v!.Value).ToArray();
        if (present.Length == 0)
        {
            return "";
        }

        double mean = present.Average();
        double std = present.Length > 1 ? Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / (present.Length - 1)) : 0;
        return string.Create(CultureInfo.InvariantCulture, $"{mean:F1} ± {std:F1}");
    }

    private static string P(double? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:F1}") : "";
}
