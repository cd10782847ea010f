using System.CommandLine;
using System.Globalization;
using System.Text;
using NerClassify.Cli.Output;
using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Pretrained;
using NerClassify.Training;

namespace NerClassify.Cli.Commands;

/// <summary><c>nerclassify train</c>: fine-tunes an encoder and writes the model, its history, a report and plots.</summary>
internal static class TrainCommand
{
    public const string DefaultEncoder = "minilm";
    private const string CheckpointsFolder = "checkpoints";

    // --unlabelled rest: the sentences of --train that are not labelled (docs/cli.md).
    private const string UnlabelledRest = "rest";

    // The Trainer writes its rolling checkpoint into this subfolder of the checkpoint directory (docs/cli.md).
    private const string LatestCheckpoint = Trainer.LatestCheckpointFolder;

    public static Command Create(CliContextFactory contexts)
    {
        var task = new Option<string>("--task")
        {
            Description = "ner: entities from a CoNLL file; classify: sentence classes from a text-label file (or CoNLL + --train-labels); multitask: both (CoNLL + --train-labels).",
            Required = true,
        };
        task.AcceptOnlyFromAmong("ner", "classify", "multitask");
        var train = new Option<string>("--train") { Description = "The training file (CoNLL, or a text-label file for classify).", Required = true };
        var trainLabels = new Option<string?>("--train-labels") { Description = "A sentence-label file (sentence, label, text) joined to the CoNLL training file." };
        var validation = new Option<string?>("--validation") { Description = "A validation file, scored after every epoch." };
        var validationLabels = new Option<string?>("--validation-labels") { Description = "A sentence-label file joined to the validation file." };
        var output = new Option<string>("--output", "-o") { Description = "The model directory to write (also history.json, report.md, plots, checkpoints/).", Required = true };
        var encoder = new Option<string>("--encoder")
        {
            Description = "'minilm' (the offline all-MiniLM-L6-v2), an encoder directory (config.json, tokenizer files, weights), or a Hugging Face id such as bert-base-cased or xlm-roberta-base.",
            DefaultValueFactory = _ => DefaultEncoder,
        };
        var config = new Option<string?>("--config") { Description = "A JSON file of trainer options (the flags below, as keys); flags given here override it." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the last checkpoint in OUTPUT/checkpoints (same data and options)." };
        var preset = new Option<string>("--preset")
        {
            Description = "Named settings: default (the best measured setting: lr 2e-4, 10 epochs, warm-up 0.1, frozen word embeddings, heads at 5x, layer decay 0.9, casing input, mean pooling), "
                + "table2 (the same with heads at 1x, no layer decay, cls pooling) or report (the report's: lr 5e-5, 4 epochs, no warm-up, all weights trained, no casing input, cls pooling). Flags and --config override single values.",
            DefaultValueFactory = _ => "default",
        };
        preset.AcceptOnlyFromAmong("default", "table2", "report");
        var labelled = new Option<int?>("--labelled") { Description = "Train on the first N rows of --train-labels (or, without it, the first N sentences of --train); all of them when there are fewer. Default: all." };
        var labelledSeed = new Option<int?>("--labelled-seed") { Description = "With --labelled: draw the N labelled sentences at random with this seed instead of taking the first N." };
        var casing = new Option<bool?>("--casing-input") { Description = "Add each word's casing to the encoder's input (helps uncased encoders such as MiniLM). Default: true (--preset report: false); --casing-input false turns it off." };
        var characters = new Option<bool>("--character-features") { Description = "Give the encoder a small character CNN over each word as written (helps uncased encoders such as MiniLM)." };
        var crf = new Option<bool>("--crf") { Description = "Put a CRF over the token head: trained with the CRF likelihood, decoded with its Viterbi (ONNX export keeps it; Triton export refuses it)." };
        var pooling = new Option<string>("--sentence-pooling")
        {
            Description = "How the sentence head pools the encoder's states: cls ([CLS] through dense + tanh) or mean (mean over tokens). Default: mean (--preset table2 and report: cls).",
        };
        pooling.AcceptOnlyFromAmong("cls", "mean");
        var unlabelled = new Option<string?>("--unlabelled")
        {
            Description = "Self-training text: 'rest' (every sentence of --train that is not among the labelled ones, words only) or a CoNLL file whose words (first column only; tags are never read) a teacher labels; a student then trains on both.",
        };
        var confidence = new Option<double>("--pseudo-label-confidence")
        {
            Description = "Self-training: keep a sentence's predicted tags (or class) when every word's tag (or the class) has at least this probability.",
            DefaultValueFactory = _ => new SelfTrainingOptions().MinTagConfidence,
        };
        var maxPseudo = new Option<int?>("--max-pseudo-labelled") { Description = "Self-training: at most this many pseudo-labelled sentences (a seeded random sample)." };
        var studentEpochs = new Option<int?>("--student-epochs") { Description = $"Self-training: epochs of the student. Default: {new SelfTrainingOptions().StudentEpochs}." };
        Option<string?> plots = EvaluateCommand.PlotsOption("The folder for training-loss.png and validation.png. Default: --output.");

        var command = new Command("train", "Fine-tune an encoder for NER, sentence classification or both.");
        foreach (Option option in new Option[] { task, train, trainLabels, validation, validationLabels, labelled, labelledSeed, output, encoder, config, preset, resume, casing, characters, crf, pooling, unlabelled, confidence, maxPseudo, studentEpochs, plots })
        {
            command.Options.Add(option);
        }

        var flags = new TrainerFlags(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            CliContext context = contexts.Create(parsed);
            (TrainerOptions presetTraining, ModelOptions presetModel) = ParsePreset(parsed.GetValue(preset)!);
            string? unlabelledText = parsed.GetValue(unlabelled);
            bool rest = string.Equals(unlabelledText, UnlabelledRest, StringComparison.Ordinal);
            if (parsed.GetValue(labelled) is < 1)
            {
                throw new UsageException("--labelled: give a number of sentences of at least 1.");
            }

            if (parsed.GetValue(labelledSeed) is not null && parsed.GetValue(labelled) is null)
            {
                throw new UsageException("--labelled-seed needs --labelled: it chooses which N sentences are labelled.");
            }

            var files = new TrainingFiles(parsed.GetValue(train)!, parsed.GetValue(trainLabels), parsed.GetValue(validation), parsed.GetValue(validationLabels))
            {
                LabelledCount = parsed.GetValue(labelled),
                LabelledSeed = parsed.GetValue(labelledSeed),
                UnlabelledRest = rest,
                UnlabelledFile = rest ? null : unlabelledText,
            };
            var request = new TrainRequest(
                ParseTask(parsed.GetValue(task)!),
                files,
                parsed.GetValue(output)!,
                parsed.GetValue(encoder)!,
                parsed.GetValue(casing) ?? presetModel.TokenHead.CasingInput,
                parsed.GetValue(characters),
                parsed.GetValue(crf),
                parsed.GetValue(pooling) switch { null => presetModel.SentencePooling, "mean" => SentencePooling.Mean, _ => SentencePooling.Cls },
                unlabelledText,
                SelfTraining(parsed.GetValue(confidence), parsed.GetValue(maxPseudo), parsed.GetValue(studentEpochs)));
            TrainerOptions options = flags.Resolve(parsed, parsed.GetValue(config), presetTraining);
            string checkpoints = options.CheckpointDirectory ?? Path.Combine(request.Output, CheckpointsFolder);
            options = options with { CheckpointDirectory = checkpoints };
            if (parsed.GetValue(resume))
            {
                if (request.Unlabelled is not null)
                {
                    throw new UsageException("--resume cannot be combined with --unlabelled: self-training restarts the student from the pretrained encoder.");
                }

                string latest = Path.Combine(checkpoints, LatestCheckpoint);
                if (!Directory.Exists(latest))
                {
                    throw new FileNotFoundException($"--resume: there is no checkpoint at '{latest}'; train without --resume first.", latest);
                }

                options = options with { ResumeFrom = latest };
            }

            options.Validate();
            return await RunAsync(context, request, options, parsed.GetValue(plots) ?? request.Output, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static SelfTrainingOptions SelfTraining(double confidence, int? maxSentences, int? studentEpochs)
    {
        try
        {
            var defaults = new SelfTrainingOptions();
            return (defaults with { MinTagConfidence = confidence, MinSentenceConfidence = confidence, MaxSentences = maxSentences, StudentEpochs = studentEpochs ?? defaults.StudentEpochs }).Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            string flag = e.ParamName switch
            {
                nameof(SelfTrainingOptions.MaxSentences) => "--max-pseudo-labelled",
                nameof(SelfTrainingOptions.StudentEpochs) => "--student-epochs",
                _ => "--pseudo-label-confidence",
            };
            throw new UsageException($"{flag}: {e.Message.Split(" (Parameter", 2)[0]}");
        }
    }

    private static (TrainerOptions Training, ModelOptions Model) ParsePreset(string preset) => preset switch
    {
        "default" => (new TrainerOptions(), new ModelOptions()),
        "table2" => (TrainerOptions.Table2, ModelOptions.Table2),
        "report" => (TrainerOptions.Report, ModelOptions.Report),
        _ => throw new UsageException($"--preset: '{preset}' is not one of default, table2, report."),
    };

    private static TaskKind ParseTask(string task) => task switch
    {
        "ner" => TaskKind.Token,
        "classify" => TaskKind.Sequence,
        "multitask" => TaskKind.Multitask,
        _ => throw new UsageException($"--task: '{task}' is not one of ner, classify, multitask."),
    };

    private static async Task<int> RunAsync(CliContext context, TrainRequest request, TrainerOptions options, string plotsFolder, CancellationToken cancellationToken)
    {
        TrainingFiles files = request.Files;
        bool multitask = request.Task.HasTokenHead() && request.Task.HasSequenceHead();
        if (multitask && files.TrainLabels is null)
        {
            throw new UsageException("--task multitask needs --train-labels: a sentence-label file joined to the CoNLL training file.");
        }

        if (files.Validation is null && files.ValidationLabels is not null)
        {
            throw new UsageException("--validation-labels needs --validation.");
        }

        if (multitask && files.Validation is not null && files.ValidationLabels is null)
        {
            throw new UsageException("--task multitask needs --validation-labels with --validation.");
        }

        // Labels come from the data: tags of the training and validation sentences, and their distinct sentence classes.
        TrainingFileSet data = await TrainingFileSet.LoadAsync(request.Task, files, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<TrainingExample> train = data.Labelled;
        IReadOnlyList<TrainingExample> validation = data.Validation ?? [];
        if (train.Count == 0)
        {
            throw new InvalidDataException($"{files.Train}: the file holds no sentences.");
        }

        IEnumerable<TrainingExample> all = train.Concat(validation);
        IReadOnlyList<string>? tokenLabels = !request.Task.HasTokenHead() ? null
            : LabelSet.FromTags(all.SelectMany(e => e.Tags ?? [])).Labels;
        IReadOnlyList<string>? sentenceLabels = !request.Task.HasSequenceHead() ? null
            : all.Select(e => e.SentenceLabel).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (tokenLabels is { Count: < 2 })
        {
            throw new InvalidDataException($"{files.Train}: the sentences have no entity tags besides O; NER needs at least one entity.");
        }

        if (sentenceLabels is { Count: < 2 })
        {
            throw new InvalidDataException($"{files.TrainLabels ?? files.Train}: sentence classification needs at least two distinct labels; found {sentenceLabels.Count}.");
        }

        if (request.Unlabelled is not null && data.Unlabelled.Count == 0)
        {
            throw new InvalidDataException($"--unlabelled {request.Unlabelled}: no unlabelled sentences were left to self-train on (every sentence of {Path.GetFileName(files.Train)} is labelled); lower --labelled or give a CoNLL file.");
        }

        context.Say(string.Create(CultureInfo.InvariantCulture, $"Training {Describe(request.Task)} on {data.Description} ({validation.Count:N0} for validation); {tokenLabels?.Count ?? 0} token labels, {sentenceLabels?.Count ?? 0} sentence labels."));
        using PretrainedEncoder encoder = await LoadEncoderAsync(request.Encoder, cancellationToken).ConfigureAwait(false);
        var modelOptions = new ModelOptions { TokenHead = new() { CasingInput = request.CasingInput, CharacterFeatures = request.CharacterFeatures, Crf = request.Crf }, SentencePooling = request.Pooling, Seed = options.Seed };
        using NerClassifier classifier = NerClassifier.Create(encoder, tokenLabels, sentenceLabels, modelOptions, context.LoggerFactory);

        IReadOnlyList<(double Epoch, double Loss)> stepLosses = [];
        TrainingHistory history;
        try
        {
            history = await context.Progress.RunAsync("Training", bar =>
            {
                var progress = new TrainingProgressView(bar, selfTraining: data.Unlabelled.Count > 0);
                stepLosses = progress.StepLosses;
                return classifier.TrainOnAsync(data with { Validation = validation.Count == 0 ? null : validation }, options, request.SelfTraining, progress, cancellationToken);
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            context.Error.WriteLine($"Stopped. The last finished epoch's checkpoint is in '{options.CheckpointDirectory}'; run the same command with --resume to continue.");
            throw;
        }

        SaveBesideCheckpoints(classifier, request.Output);
        File.WriteAllText(Path.Combine(request.Output, "history.json"), history.ToJson());
        string lossPlot = Path.Combine(plotsFolder, "training-loss.png");
        string validationPlot = Path.Combine(plotsFolder, "validation.png");
        Plots.TrainingLoss(lossPlot, stepLosses, history);
        bool validationPlotted = Plots.Validation(validationPlot, history);
        File.WriteAllText(
            Path.Combine(request.Output, "report.md"),
            Report(request, classifier.Config, options, history, Link(request.Output, lossPlot), validationPlotted ? Link(request.Output, validationPlot) : null));

        EpochResult last = history.Epochs[^1];
        context.Output.WriteLine($"Saved the model to {request.Output} ({history.Epochs.Count} epoch{(history.Epochs.Count == 1 ? string.Empty : "s")}, final training loss {last.TrainLoss.ToString("F4", CultureInfo.InvariantCulture)}).");
        if (last.Validation is { } scores)
        {
            context.Output.WriteLine(Summary(scores) + (!request.Task.HasTokenHead() && files.ValidationLabels is null ? string.Empty : " (each sentence alone)"));
        }

        if (last.Validation is not null && files.Validation is { } validationFile && !(!request.Task.HasTokenHead() && files.ValidationLabels is null))
        {
            // CoNLL validation with documents: also score each sentence read with the others of its document, as
            // evaluate --document-context does (and the reproduction reports); training is not affected.
            ConllCorpus corpus = await new ConllReader().LoadAsync(validationFile, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (corpus.Sentences.Select(s => s.DocumentIndex).Distinct().Skip(1).Any())
            {
                EvaluateCommand.Scores inDocuments = await EvaluateCommand.ScoreAsync(
                    context, classifier, validationFile, files.ValidationLabels, strict: false, documentContext: true, options.EvaluationBatchSize, cancellationToken).ConfigureAwait(false);
                string summary = Summary(new EvaluationResult(inDocuments.Entities, inDocuments.Sentences));
                context.Output.WriteLine("Validation, each sentence in its document (DocumentContext): " + summary["Validation: ".Length..]);
            }
        }

        // history.Warnings (a model that predicts one class) reached standard error through the library's log already.

        return CliApplication.Success;
    }

    /// <summary>
    /// Saves the model into <paramref name="output"/> without losing <c>checkpoints/</c>: <see cref="NerClassifier.Save"/>
    /// replaces its whole target directory, so the model is saved into a staging folder whose files then move in.
    /// </summary>
    private static void SaveBesideCheckpoints(NerClassifier classifier, string output)
    {
        string staging = Path.Combine(output, ".saving");
        classifier.Save(staging);
        foreach (string file in Directory.EnumerateFiles(staging))
        {
            File.Move(file, Path.Combine(output, Path.GetFileName(file)), overwrite: true);
        }

        Directory.Delete(staging, recursive: true);
    }

    /// <summary>A plot's path as report.md (in <paramref name="output"/>) links it: relative, with forward slashes.</summary>
    private static string Link(string output, string plot) => Path.GetRelativePath(output, plot).Replace('\\', '/');

    private static async Task<PretrainedEncoder> LoadEncoderAsync(string encoder, CancellationToken cancellationToken)
    {
        if (string.Equals(encoder, DefaultEncoder, StringComparison.OrdinalIgnoreCase))
        {
            return PretrainedEncoders.MiniLmL6V2();
        }

        if (Directory.Exists(encoder))
        {
            return PretrainedEncoder.Load(encoder);
        }

        if (File.Exists(encoder) || encoder.StartsWith('.') || encoder.StartsWith('/') || encoder.Count(c => c == '/') > 1)
        {
            throw new DirectoryNotFoundException($"--encoder: '{encoder}' is not an encoder directory (config.json, tokenizer files and weights), nor '{DefaultEncoder}', nor a Hugging Face id.");
        }

        return await PretrainedEncoder.FromPretrainedAsync(encoder, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static string Describe(TaskKind task) => task.Description();

    internal static string Summary(EvaluationResult scores)
    {
        var parts = new List<string>();
        if (scores.Entities is { } entities)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"entity F1 {entities.F1:F4} (precision {entities.Precision:F4}, recall {entities.Recall:F4}, token accuracy {entities.TokenAccuracy:F4})"));
        }

        if (scores.Sentences is { } sentences)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"sentence accuracy {sentences.Accuracy:F4}, weighted F1 {sentences.WeightedF1:F4}, macro F1 {sentences.MacroF1:F4}"));
        }

        return "Validation: " + string.Join("; ", parts);
    }

    private static string Report(TrainRequest request, ModelConfig config, TrainerOptions options, TrainingHistory history, string lossPlot, string? validationPlot)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine("# Training report").AppendLine();
        md.AppendLine(inv, $"- Task: {config.Task}");
        md.AppendLine(inv, $"- Trained on: {config.TrainedOn}");
        md.AppendLine(inv, $"- Validation: {request.Files.Validation ?? "none"}");
        md.AppendLine(inv, $"- Encoder: {request.Encoder}");
        md.AppendLine(inv, $"- Token labels: {(config.TokenLabels is null ? "none" : string.Join(", ", config.TokenLabels))}");
        md.AppendLine(inv, $"- Sentence labels: {(config.SequenceLabels is null ? "none" : string.Join(", ", config.SequenceLabels))}");
        md.AppendLine(inv, $"- Learning rate {options.LearningRate}, batch size {options.BatchSize}, epochs {options.Epochs}, seed {options.Seed}, warm-up {options.WarmupRatio}, weight decay {options.WeightDecay}");
        md.AppendLine(inv, $"- Best epoch: {history.BestEpoch?.ToString(inv) ?? "n/a"}{(history.StoppedEarly ? " (stopped early)" : string.Empty)}");
        md.AppendLine().AppendLine("| Epoch | Train loss | Seconds | Sentences/s | Entity F1 | Sentence accuracy |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (EpochResult epoch in history.Epochs)
        {
            md.AppendLine(inv, $"| {epoch.Epoch} | {epoch.TrainLoss:F4} | {epoch.TrainSeconds:F1} | {epoch.ExamplesPerSecond:F1} | {Score(epoch.Validation?.Entities?.F1)} | {Score(epoch.Validation?.Sentences?.Accuracy)} |");
        }

        md.AppendLine().AppendLine(inv, $"![Training loss]({lossPlot})");
        if (validationPlot is not null)
        {
            md.AppendLine().AppendLine(inv, $"![Validation scores]({validationPlot})");
        }

        if (history.Epochs[^1].Validation is { } last)
        {
            md.AppendLine().AppendLine("## Final validation").AppendLine().AppendLine("```").Append(last.ToText()).AppendLine("```");
        }

        return md.ToString();

        string Score(double? value) => value?.ToString("F4", inv) ?? "-";
    }

    private sealed record TrainRequest(
        TaskKind Task,
        TrainingFiles Files,
        string Output,
        string Encoder,
        bool CasingInput,
        bool CharacterFeatures,
        bool Crf,
        SentencePooling Pooling,
        string? Unlabelled,
        SelfTrainingOptions SelfTraining);
}
