using System.Globalization;
using NerClassify.Metrics;
using NerClassify.Training;
using ScottPlot;

namespace NerClassify.Cli.Output;

/// <summary>PNG plots of a training run and of a confusion matrix (ScottPlot).</summary>
internal static class Plots
{
    private const int Width = 900;
    private const int Height = 540;

    // More epochs than this get a tick every few epochs, still on whole epochs.
    private const int MaxEpochTicks = 20;

    /// <summary>Training loss per optimiser step (at fractional epochs) and per epoch.</summary>
    public static void TrainingLoss(string path, IReadOnlyList<(double Epoch, double Loss)> stepLosses, TrainingHistory history) =>
        Save(BuildTrainingLoss(stepLosses, history), path, Width, Height);

    /// <summary>Validation entity F1 and sentence accuracy per epoch; false when no epoch was evaluated.</summary>
    public static bool Validation(string path, TrainingHistory history)
    {
        Plot? plot = BuildValidation(history);
        if (plot is not null)
        {
            Save(plot, path, Width, Height);
        }

        return plot is not null;
    }

    /// <summary>
    /// A heat map of the confusion matrix, truth down the side and prediction along the bottom, each cell's value
    /// written in it and a colour bar beside it; <paramref name="normalize"/> draws each true class's row as shares
    /// that sum to 1 (an empty row stays 0).
    /// </summary>
    public static void Confusion(string path, ConfusionMatrix matrix, string title, bool normalize)
    {
        int n = matrix.Labels.Count;
        Save(BuildConfusion(matrix, title, normalize), path, Math.Max(Width, (60 * n) + 260), Math.Max(Height, (50 * n) + 200));
    }

    internal static Plot BuildTrainingLoss(IReadOnlyList<(double Epoch, double Loss)> stepLosses, TrainingHistory history)
    {
        var plot = new Plot();
        if (stepLosses.Count > 0)
        {
            var steps = plot.Add.Scatter(stepLosses.Select(s => s.Epoch).ToArray(), stepLosses.Select(s => s.Loss).ToArray());
            steps.LegendText = "batch loss";
            steps.MarkerSize = 3;
        }

        var epochs = plot.Add.Scatter(history.Epochs.Select(e => (double)e.Epoch).ToArray(), history.Epochs.Select(e => e.TrainLoss).ToArray());
        epochs.LegendText = "epoch mean";
        epochs.MarkerSize = 8;
        EpochTicks(plot, history.Epochs.Count == 0 ? 1 : history.Epochs[^1].Epoch, fromZero: stepLosses.Count > 0);
        plot.Title("Training loss");
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.ShowLegend();
        return plot;
    }

    internal static Plot? BuildValidation(TrainingHistory history)
    {
        EpochResult[] evaluated = history.Epochs.Where(e => e.Validation is not null).ToArray();
        if (evaluated.Length == 0)
        {
            return null;
        }

        var plot = new Plot();
        double[] xs = evaluated.Select(e => (double)e.Epoch).ToArray();
        if (evaluated.All(e => e.Validation!.Entities is not null))
        {
            var f1 = plot.Add.Scatter(xs, evaluated.Select(e => e.Validation!.Entities!.F1).ToArray());
            f1.LegendText = "entity F1";
        }

        if (evaluated.All(e => e.Validation!.Sentences is not null))
        {
            var accuracy = plot.Add.Scatter(xs, evaluated.Select(e => e.Validation!.Sentences!.Accuracy).ToArray());
            accuracy.LegendText = "sentence accuracy";
            var weighted = plot.Add.Scatter(xs, evaluated.Select(e => e.Validation!.Sentences!.WeightedF1).ToArray());
            weighted.LegendText = "sentence weighted F1";
        }

        EpochTicks(plot, evaluated[^1].Epoch, fromZero: false);
        plot.Title("Validation scores");
        plot.XLabel("epoch");
        plot.YLabel("score");
        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend();
        return plot;
    }

    internal static Plot BuildConfusion(ConfusionMatrix matrix, string title, bool normalize)
    {
        int n = matrix.Labels.Count;
        var values = new double[n, n];
        for (int truth = 0; truth < n; truth++)
        {
            double rowTotal = normalize ? matrix.Counts[truth].Sum() : 1;
            for (int predicted = 0; predicted < n; predicted++)
            {
                values[truth, predicted] = rowTotal == 0 ? 0 : matrix.Counts[truth][predicted] / rowTotal;
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Blues();
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = normalize ? "share of the true class" : "sentences or words";

        // Row 0 of the data is drawn at the top: cell (r, c) is centred on x = c, y = n - 1 - r.
        // Blues runs from dark (low values) to light (high values): white text on the dark cells, black on the light.
        double most = Math.Max(normalize ? 0 : 1, values.Cast<double>().DefaultIfEmpty(0).Max());
        for (int truth = 0; truth < n; truth++)
        {
            for (int predicted = 0; predicted < n; predicted++)
            {
                double value = values[truth, predicted];
                string label = normalize ? value.ToString("0.00", CultureInfo.InvariantCulture) : matrix.Counts[truth][predicted].ToString(CultureInfo.InvariantCulture);
                var text = plot.Add.Text(label, predicted, n - 1 - truth);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = n > 12 ? 9 : 14;
                text.LabelFontColor = most > 0 && value * 2 > most ? Colors.Black : Colors.White;
            }
        }

        double[] positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, matrix.Labels.ToArray());
        plot.Axes.Left.SetTicks(positions.Select(p => n - 1 - p).ToArray(), matrix.Labels.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = n > 6 ? 45 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = n > 6 ? Alignment.MiddleLeft : Alignment.UpperCenter;
        plot.Title(normalize ? $"{title} (each true class's row sums to 1)" : title);
        plot.XLabel("predicted");
        plot.YLabel("true");
        return plot;
    }

    /// <summary>Ticks on whole epochs only (ScottPlot's automatic ticks put 0.95, 1.05 ... around a single epoch).</summary>
    private static void EpochTicks(Plot plot, int lastEpoch, bool fromZero)
    {
        int first = fromZero ? 0 : 1;
        int step = Math.Max(1, (int)Math.Ceiling((lastEpoch - first + 1) / (double)MaxEpochTicks));
        double[] ticks = Enumerable.Range(0, ((lastEpoch - first) / step) + 1).Select(i => (double)(first + (i * step))).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsX(first - 0.25, lastEpoch + 0.25);
    }

    /// <summary>Writes the PNG into a temporary file beside <paramref name="path"/>, then moves it over, so a crash leaves no half-written image.</summary>
    private static void Save(Plot plot, string path, int width, int height)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp.png");
        try
        {
            plot.SavePng(temporary, width, height);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
