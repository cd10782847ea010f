using NerClassify.Cli.Output;
using NerClassify.Metrics;
using NerClassify.Training;
using ScottPlot;

namespace NerClassify.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class PlotTests(TinyWorkspace workspace)
{
    [Fact]
    public async Task Evaluate_WithoutPlotOptions_WritesTheConfusionMatrixBesideTheModelNotIntoTheCurrentDirectory()
    {
        string model = workspace.NewPath("model-copy");
        CopyDirectory(workspace.NerModel, model);
        string current = Directory.CreateDirectory(workspace.NewPath("cwd")).FullName;
        string saved = Environment.CurrentDirectory;
        CliRun run;
        try
        {
            Environment.CurrentDirectory = current;
            run = await CliRun.RunAsync("evaluate", model, workspace.ValidationFile);
        }
        finally
        {
            Environment.CurrentDirectory = saved;
        }

        run.ExitCode.Should().Be(0, run.ToString());
        Directory.EnumerateFileSystemEntries(current).Should().BeEmpty("nothing is written into the current directory unasked");
        string plot = Path.Combine(model, "confusion-matrix-valid.png");
        File.ReadAllBytes(plot).Take(4).Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G');
        run.Error.Should().Contain(plot);
    }

    [Fact]
    public async Task Evaluate_PlotsFolderAndNormalize_WritesTheMatrixIntoTheFolder()
    {
        string folder = workspace.NewPath("plots");

        CliRun run = await CliRun.RunAsync("evaluate", workspace.MultitaskModel, workspace.ValidationFile, "--labels", workspace.ValidationLabelsFile, "--plots", folder, "--normalize");

        run.ExitCode.Should().Be(0, run.ToString());
        File.Exists(Path.Combine(folder, "confusion-matrix-valid.png")).Should().BeTrue();
    }

    [Fact]
    public async Task Train_PlotsFolder_WritesThePlotsThereAndReportMdLinksThem()
    {
        string output = workspace.NewPath("plotted");
        string folder = workspace.NewPath("training-plots");

        CliRun run = await CliRun.RunAsync([.. workspace.TrainArguments("--task", "ner", "--train", workspace.TrainFile, "--validation", workspace.ValidationFile, "--output", output), "--plots", folder]);

        run.ExitCode.Should().Be(0, run.ToString());
        File.Exists(Path.Combine(folder, "training-loss.png")).Should().BeTrue();
        File.Exists(Path.Combine(folder, "validation.png")).Should().BeTrue();
        File.Exists(Path.Combine(output, "training-loss.png")).Should().BeFalse();
        File.ReadAllText(Path.Combine(output, "report.md")).Should().Contain($"](../{Path.GetFileName(folder)}/training-loss.png)");
    }

    [Fact]
    public void Confusion_Normalized_RowsSumToOneAndHasAColourBar()
    {
        var matrix = new ConfusionMatrix(["sport", "world"], [[3, 1], [0, 0]]);

        Plot plot = Plots.BuildConfusion(matrix, "Sentence classes", normalize: true);

        var heatmap = plot.GetPlottables<ScottPlot.Plottables.Heatmap>().Single();
        heatmap.Intensities[0, 0].Should().Be(0.75);
        heatmap.Intensities[0, 1].Should().Be(0.25);
        heatmap.Intensities[1, 0].Should().Be(0, "a class without sentences stays empty rather than dividing by zero");
        plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>().Should().ContainSingle();
    }

    [Fact]
    public void Confusion_Counts_HasAColourBarAndTheCounts()
    {
        var matrix = new ConfusionMatrix(["sport", "world"], [[3, 1], [2, 5]]);

        Plot plot = Plots.BuildConfusion(matrix, "Sentence classes", normalize: false);

        plot.GetPlottables<ScottPlot.Plottables.Heatmap>().Single().Intensities[1, 1].Should().Be(5);
        plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>().Should().ContainSingle();
    }

    [Fact]
    public void Validation_OneOrThreeEpochs_TicksOnWholeEpochsOnly()
    {
        TrainingHistory trained = TrainingHistory.FromJson(File.ReadAllText(Path.Combine(workspace.NerModel, "history.json")));
        EpochResult epoch = trained.Epochs[0];
        TrainingHistory three = trained with { Epochs = [epoch, epoch with { Epoch = 2 }, epoch with { Epoch = 3 }] };

        foreach ((TrainingHistory history, double[] expected) in new[] { (trained, new[] { 1.0 }), (three, new[] { 1.0, 2, 3 }) })
        {
            Plot plot = Plots.BuildValidation(history)!;
            plot.GetImage(900, 540).Dispose();

            Tick[] ticks = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).ToArray();
            ticks.Select(t => t.Position).Should().Equal(expected);
            ticks.Select(t => t.Label).Should().Equal(expected.Select(e => e.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
