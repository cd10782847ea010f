using NerClassify.Configuration;
using NerClassify.Training;

namespace NerClassify.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class TrainCommandTests(TinyWorkspace workspace)
{
    [Fact]
    public void Train_Ner_WritesModelHistoryReportAndPlots()
    {
        workspace.NerTraining.Output.Should().Contain("Saved the model").And.Contain("entity F1");
        foreach (string file in new[] { "config.json", "model.safetensors", "vocab.txt", "history.json", "report.md", "training-loss.png", "validation.png" })
        {
            File.Exists(Path.Combine(workspace.NerModel, file)).Should().BeTrue(file);
        }

        TrainingHistory history = TrainingHistory.FromJson(File.ReadAllText(Path.Combine(workspace.NerModel, "history.json")));
        history.Epochs.Should().HaveCount(1);
        history.Epochs[0].Validation!.Entities.Should().NotBeNull();
        File.ReadAllBytes(Path.Combine(workspace.NerModel, "training-loss.png")).Take(4).Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G');
        File.ReadAllText(Path.Combine(workspace.NerModel, "report.md")).Should().Contain("| 1 |").And.Contain("B-PER");
        Directory.Exists(Path.Combine(workspace.NerModel, "checkpoints", "latest")).Should().BeTrue();
    }

    [Fact]
    public void Train_Ner_TakesTokenLabelsFromTheData()
    {
        using NerClassifier model = NerClassifier.Load(workspace.NerModel);
        model.Config.Task.Should().Be(TaskKind.Token);
        model.Config.TokenLabels.Should().Equal("O", "B-LOC", "I-LOC", "B-ORG", "B-PER", "I-PER");
        model.Config.SequenceLabels.Should().BeNull();
        model.Config.TrainedOn.Should().Contain("train.conll");
    }

    [Fact]
    public void Train_Multitask_TakesSentenceLabelsFromTheLabelsFile()
    {
        using NerClassifier model = NerClassifier.Load(workspace.MultitaskModel);
        model.Config.Task.Should().Be(TaskKind.Multitask);
        model.Config.SequenceLabels.Should().Equal("business", "sport", "world");
        workspace.MultitaskTraining.Output.Should().Contain("sentence accuracy");
    }

    [Fact]
    public async Task TrainAndEvaluate_ClassifyFromATextLabelFile_ScoresSentences()
    {
        string data = workspace.Write("topics.tsv", "text\tlabel\njohn won the game .\tsport\nshares fell .\tbusiness\nthe team won .\tsport\ngoogle shares fell .\tbusiness\n");
        string output = workspace.NewPath("classifier");

        CliRun train = await CliRun.RunAsync(workspace.TrainArguments("--task", "classify", "--train", data, "--validation", data, "--output", output));
        CliRun evaluate = await CliRun.RunAsync("evaluate", output, data, "--plot", workspace.NewPath("topics") + ".png");

        train.ExitCode.Should().Be(0, train.ToString());
        evaluate.ExitCode.Should().Be(0, evaluate.ToString());
        evaluate.Output.Should().Contain("sentence accuracy").And.Contain("business").And.NotContain("entity F1");
        using NerClassifier model = NerClassifier.Load(output);
        model.Config.SequenceLabels.Should().Equal("business", "sport");
        model.Config.TokenLabels.Should().BeNull();
    }

    [Fact]
    public async Task Train_WithUnlabelledFileAndMeanPooling_SelfTrainsAndSavesThePooling()
    {
        // The unlabelled file's tag column is garbage: only its words may be read.
        string unlabelled = workspace.Write("unlabelled.conll", "-DOCSTART- -X- -X- O\n\nMary NOT-A-TAG\nvisited ???\nParis !!\n\nGoogle X\nshares X\nfell X\n");
        string output = workspace.NewPath("self-trained");

        CliRun run = await CliRun.RunAsync(workspace.TrainArguments(
            "--task", "multitask", "--train", workspace.TrainFile, "--train-labels", workspace.TrainLabelsFile, "--output", output,
            "--unlabelled", unlabelled, "--pseudo-label-confidence", "0", "--sentence-pooling", "mean"));

        run.ExitCode.Should().Be(0, run.ToString());
        using NerClassifier model = NerClassifier.Load(output);
        model.Config.TrainedOn.Should().Be("8 labelled + 2 unlabelled sentences (2 pseudo-labelled): train.conll joined to train.labels.tsv; unlabelled.conll, words only");
        model.Config.SentencePooling.Should().Be(SentencePooling.Mean);
        Directory.Exists(Path.Combine(output, "checkpoints", "teacher", "latest")).Should().BeTrue();
        Directory.Exists(Path.Combine(output, "checkpoints", "student-1", "latest")).Should().BeTrue();
    }

    [Fact]
    public async Task Train_LabelledSubsetAndUnlabelledRest_TrainsOnTheFirstRowsAndSaysSoInTheHeaderAndConfig()
    {
        string output = workspace.NewPath("labelled-rest");

        CliRun run = await CliRun.RunAsync(workspace.TrainArguments(
            "--task", "multitask", "--train", workspace.TrainFile, "--train-labels", workspace.TrainLabelsFile, "--output", output,
            "--labelled", "3", "--unlabelled", "rest", "--pseudo-label-confidence", "0"));

        run.ExitCode.Should().Be(0, run.ToString());
        const string Used = "the first 3 rows of train.labels.tsv joined to train.conll; the other sentences of train.conll, words only";
        run.Error.Should().Contain($"on 3 labelled + 5 unlabelled sentences: {Used} (0 for validation)");
        using NerClassifier model = NerClassifier.Load(output);
        model.Config.TrainedOn.Should().Be($"3 labelled + 5 unlabelled sentences (5 pseudo-labelled): {Used}");
    }

    [Fact]
    public async Task Train_LabelledSeed_DrawsARandomSubsetAndNamesTheSeed()
    {
        string output = workspace.NewPath("labelled-seed");

        CliRun run = await CliRun.RunAsync(workspace.TrainArguments(
            "--task", "ner", "--train", workspace.TrainFile, "--output", output, "--labelled", "4", "--labelled-seed", "3"));
        CliRun seedAlone = await CliRun.RunAsync(workspace.TrainArguments(
            "--task", "ner", "--train", workspace.TrainFile, "--output", workspace.NewPath("seed-alone"), "--labelled-seed", "3"));

        run.ExitCode.Should().Be(0, run.ToString());
        using NerClassifier model = NerClassifier.Load(output);
        model.Config.TrainedOn.Should().Be("4 labelled sentences: 4 sentences of train.conll drawn at random with seed 3");
        seedAlone.ExitCode.Should().Be(1, seedAlone.ToString());
        seedAlone.Error.Should().Contain("--labelled-seed needs --labelled");
    }

    [Fact]
    public async Task Train_Defaults_AreThePresetAndPresetReportSwitchesToTheReportsSettings()
    {
        string report = workspace.NewPath("preset-report");

        CliRun run = await CliRun.RunAsync(workspace.TrainArgumentsWithout(
            ["--learning-rate", "--epochs"],
            "--task", "multitask", "--train", workspace.TrainFile, "--train-labels", workspace.TrainLabelsFile, "--output", report, "--preset", "report"));

        run.ExitCode.Should().Be(0, run.ToString());
        using (NerClassifier byDefault = NerClassifier.Load(workspace.MultitaskModel))
        {
            byDefault.Config.TokenHead.CasingInput.Should().BeTrue();
            byDefault.Config.SentencePooling.Should().Be(SentencePooling.Mean);
        }

        using NerClassifier model = NerClassifier.Load(report);
        model.Config.TokenHead.CasingInput.Should().BeFalse();
        model.Config.SentencePooling.Should().Be(SentencePooling.Cls);
        TrainingHistory history = TrainingHistory.FromJson(File.ReadAllText(Path.Combine(report, "history.json")));
        history.Epochs.Should().HaveCount(4);
        File.ReadAllText(Path.Combine(report, "report.md")).Should().Contain("Learning rate 5E-05").And.Contain("epochs 4").And.Contain("warm-up 0,");
    }

    [Fact]
    public async Task Train_ModelThatPredictsOneClass_PrintsTheLibrarysWarning()
    {
        // Every training sentence is "sport", so the model can only learn to say sport; the validation rows are mixed.
        string labels = workspace.Write("all-sport.tsv", string.Join("\n", File.ReadAllLines(workspace.TrainLabelsFile).Select((line, i) => i == 0 ? line : Relabel(line))) + "\n");
        string output = workspace.NewPath("one-class");

        CliRun run = await CliRun.RunAsync(workspace.TrainArgumentsWithout(
            ["--epochs"],
            "--task", "classify", "--train", workspace.TrainFile, "--train-labels", labels, "--validation", workspace.ValidationFile,
            "--validation-labels", workspace.ValidationLabelsFile, "--output", output, "--epochs", "3"));

        run.ExitCode.Should().Be(0, run.ToString());
        // The library logs it as a warning (event 6007), and the command's logger prints warnings by default.
        run.Error.Should().Contain("warning: Trainer: The model predicts 'sport' for 100.0 % of the 4 validation sentences, whose true share of 'sport' is 0.0 %");

        static string Relabel(string row)
        {
            string[] fields = row.Split('\t');
            fields[1] = "sport";
            return string.Join('\t', fields);
        }
    }

    [Fact]
    public async Task Train_UnlabelledWithResumeOrBadConfidence_ExitsWithUsageError()
    {
        string unlabelled = workspace.Write("unlabelled-usage.conll", "Paris\n");

        CliRun resumed = await CliRun.RunAsync(workspace.TrainArguments("--task", "ner", "--train", workspace.TrainFile, "--output", workspace.NewPath("resume-self"), "--unlabelled", unlabelled, "--resume"));
        CliRun badConfidence = await CliRun.RunAsync(workspace.TrainArguments("--task", "ner", "--train", workspace.TrainFile, "--output", workspace.NewPath("bad-confidence"), "--unlabelled", unlabelled, "--pseudo-label-confidence", "1.5"));

        resumed.ExitCode.Should().Be(1, resumed.ToString());
        resumed.Error.Should().Contain("--resume cannot be combined with --unlabelled");
        badConfidence.ExitCode.Should().Be(1, badConfidence.ToString());
        badConfidence.Error.Should().Contain("--pseudo-label-confidence");
    }

    [Fact]
    public async Task Train_ConfigFile_FlagsOverrideTheFile()
    {
        string config = workspace.Write("options.json", """{ "epochs": 3, "learning-rate": 0.002, "max-length": 32, "stride": 8 }""");
        string output = workspace.NewPath("config-model");

        CliRun run = await CliRun.RunAsync([.. workspace.TrainArgumentsWithout(["--learning-rate", "--epochs"], "--task", "ner", "--train", workspace.TrainFile, "--output", output, "--config", config), "--epochs", "2"]);

        run.ExitCode.Should().Be(0, run.ToString());
        TrainingHistory history = TrainingHistory.FromJson(File.ReadAllText(Path.Combine(output, "history.json")));
        history.Epochs.Should().HaveCount(2, "--epochs 2 overrides the file's 3");
        File.ReadAllText(Path.Combine(output, "report.md")).Should().Contain("Learning rate 0.002", "the file's learning rate applies where no flag is given");
    }

    [Fact]
    public async Task Train_ConfigFileWithUnknownKey_ExitsWithDataErrorNamingTheKey()
    {
        string config = workspace.Write("bad-options.json", """{ "epochz": 3 }""");

        CliRun run = await CliRun.RunAsync(workspace.TrainArguments("--task", "ner", "--train", workspace.TrainFile, "--output", workspace.NewPath("bad"), "--config", config));

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("bad-options.json").And.Contain("epochz");
    }

    [Fact]
    public async Task Train_Resume_ContinuesFromTheLastCheckpoint()
    {
        string output = workspace.NewPath("resumed");
        (await CliRun.RunAsync(workspace.TrainArguments("--task", "ner", "--train", workspace.TrainFile, "--output", output))).ExitCode.Should().Be(0);

        CliRun resumed = await CliRun.RunAsync([.. workspace.TrainArgumentsWithout(["--epochs"], "--task", "ner", "--train", workspace.TrainFile, "--output", output, "--resume"), "--epochs", "2"]);

        resumed.ExitCode.Should().Be(0, resumed.ToString());
        TrainingHistory history = TrainingHistory.FromJson(File.ReadAllText(Path.Combine(output, "history.json")));
        history.Epochs.Select(e => e.Epoch).Should().Equal([1, 2], "the resumed run keeps epoch 1 from the checkpoint and trains epoch 2");
    }

    [Fact]
    public async Task Train_Cancelled_ExitsWith130AndKeepsACheckpointThatResumes()
    {
        string output = workspace.NewPath("cancelled");
        string state = Path.Combine(output, "checkpoints", "latest", "trainer_state.json");
        using var cancellation = new CancellationTokenSource();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Task<int> training = CliApplication.RunAsync(
            workspace.TrainArgumentsWithout(["--epochs"], "--task", "ner", "--train", workspace.TrainFile, "--output", output, "--epochs", "1000"),
            stdout,
            stderr,
            cancellationToken: cancellation.Token);
        while (!File.Exists(state) && !training.IsCompleted)
        {
            await Task.Delay(10);
        }

        await cancellation.CancelAsync();
        int code = await training;

        code.Should().Be(130, stderr.ToString());
        stderr.ToString().Should().Contain("--resume");
        File.Exists(state).Should().BeTrue();
        CliRun resumed = await CliRun.RunAsync([.. workspace.TrainArgumentsWithout(["--epochs"], "--task", "ner", "--train", workspace.TrainFile, "--output", output, "--resume"), "--epochs", "1000", "--early-stopping-patience", "1", "--validation", workspace.ValidationFile]);
        resumed.ExitCode.Should().Be(0, resumed.ToString());
        TrainingHistory history = TrainingHistory.FromJson(File.ReadAllText(Path.Combine(output, "history.json")));
        history.Epochs[0].Epoch.Should().Be(1, "the resumed run keeps the epochs of the cancelled one");
        history.Epochs.Count.Should().BeGreaterThan(1);
    }

    [Fact]
    public async Task Train_ResumeWithoutCheckpoint_ExitsWithDataError()
    {
        CliRun run = await CliRun.RunAsync(workspace.TrainArguments("--task", "ner", "--train", workspace.TrainFile, "--output", workspace.NewPath("none"), "--resume"));

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("--resume");
    }

    [Fact]
    public async Task Train_UnknownTask_ExitsWithUsageErrorListingTheTasks()
    {
        CliRun run = await CliRun.RunAsync("train", "--task", "pos", "--train", workspace.TrainFile, "--output", workspace.NewPath("x"));

        run.ExitCode.Should().Be(1, run.ToString());
        (run.Error + run.Output).Should().Contain("pos").And.Contain("ner").And.Contain("multitask");
    }

    [Fact]
    public async Task Train_OutOfRangeOption_ExitsWithUsageErrorNamingTheFlag()
    {
        CliRun run = await CliRun.RunAsync(workspace.TrainArguments("--task", "ner", "--train", workspace.TrainFile, "--output", workspace.NewPath("x"), "--warmup-ratio", "1.5"));

        run.ExitCode.Should().Be(1, run.ToString());
        run.Error.Should().Contain("--warmup-ratio").And.Contain("nerclassify train --help");
        run.Error.Should().NotContain("(Parameter", "the flag is named, not the C# property");
        run.Error.Should().NotContain("   at ", "no stack trace without --verbosity debug");
    }

    [Fact]
    public async Task Train_EnumFlagsInLowerCase_AreAccepted()
    {
        CliRun run = await CliRun.RunAsync([.. workspace.TrainArguments("--task", "ner", "--train", workspace.TrainFile, "--output", workspace.NewPath("enums")), "--schedule", "constant", "--selection-metric", "entityf1", "--device", "cpu"]);

        run.ExitCode.Should().Be(0, run.ToString());
    }

    [Fact]
    public async Task Train_MissingTrainingFile_ExitsWithDataError()
    {
        CliRun run = await CliRun.RunAsync(workspace.TrainArguments("--task", "ner", "--train", Path.Combine(workspace.Root, "absent.conll"), "--output", workspace.NewPath("x")));

        run.ExitCode.Should().Be(2, run.ToString());
        run.Error.Should().Contain("absent.conll");
    }
}
