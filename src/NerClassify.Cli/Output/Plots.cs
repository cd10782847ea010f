using NerClassify.Metrics;
using NerClassify.Training;
using ScottPlot;

namespace NerClassify.Cli.Output;

/// <summary>PNG plots of a training run and of a confusion matrix (ScottPlot).</summary>
internal static class Plots
{
    private const int Width = 900;
    private const int Height = 540;

    /// <summary>Training loss per optimiser step (at fractional epochs) and per epoch.</summary>
    public static void TrainingLoss(string path, IReadOnlyList<(double Epoch, double Loss)> stepLosses, TrainingHistory history)
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
        plot.Title("Training loss");
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.ShowLegend();
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Validation entity F1 and sentence accuracy per epoch; false when no epoch was evaluated.</summary>
    public static bool Validation(string path, TrainingHistory history)
    {
        EpochResult[] evaluated = history.Epochs.Where(e => e.Validation is not null).ToArray();
        if (evaluated.Length == 0)
        {
            return false;
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

        plot.Title("Validation scores");
        plot.XLabel("epoch");
        plot.YLabel("score");
        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend();
        plot.SavePng(path, Width, Height);
        return true;
    }

    /// <summary>A heat map of counts, truth down the side and prediction along the bottom, with each count written in its cell.</summary>
    public static void Confusion(string path, ConfusionMatrix matrix, string title)
    {
        int n = matrix.Labels.Count;
        var counts = new double[n, n];
        for (int truth = 0; truth < n; truth++)
        {
            for (int predicted = 0; predicted < n; predicted++)
            {
                counts[truth, predicted] = matrix.Counts[truth][predicted];
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(counts);
        heatmap.Colormap = new ScottPlot.Colormaps.Blues();
        // Row 0 of the data is drawn at the top: cell (r, c) is centred on x = c, y = n - 1 - r.
        // Blues runs from dark (low counts) to light (high counts): white text on the dark cells, black on the light.
        int most = Math.Max(1, matrix.Counts.SelectMany(row => row).DefaultIfEmpty(0).Max());
        for (int truth = 0; truth < n; truth++)
        {
            for (int predicted = 0; predicted < n; predicted++)
            {
                var text = plot.Add.Text(matrix.Counts[truth][predicted].ToString(System.Globalization.CultureInfo.InvariantCulture), predicted, n - 1 - truth);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = n > 12 ? 9 : 14;
                text.LabelFontColor = matrix.Counts[truth][predicted] * 2 > most ? Colors.Black : Colors.White;
            }
        }

        double[] positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, matrix.Labels.ToArray());
        plot.Axes.Left.SetTicks(positions.Select(p => n - 1 - p).ToArray(), matrix.Labels.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = n > 6 ? 45 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = n > 6 ? Alignment.MiddleLeft : Alignment.UpperCenter;
        plot.Title(title);
        plot.XLabel("predicted");
        plot.YLabel("true");
        plot.SavePng(path, Math.Max(Width, 60 * n + 200), Math.Max(Height, 50 * n + 200));
    }
}
