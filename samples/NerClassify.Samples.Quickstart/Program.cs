using NerClassify;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Inference;
using NerClassify.Pretrained;
using NerClassify.Samples.Quickstart;
using NerClassify.Training;
using Spectre.Console;

// Quickstart: fine-tune the offline MiniLM encoder as one multitask model (entities + topic) on a small
// demo dataset this sample writes itself, with self-training on unlabelled demo sentences (the best setting
// of docs/results.md), then label new sentences and save the model.
string output = args.Length > 0 ? args[0] : "quickstart-model";
AnsiConsole.MarkupLine(
    "NerClassify quickstart: fine-tunes all-MiniLM-L6-v2 on 400 labelled and 800 unlabelled demo sentences (a teacher, then a student), " +
    "scores 100 held-out demo sentences, predicts new ones and saves the model. About three minutes on 2 CPU cores.");

using PretrainedEncoder pretrained = AnsiConsole.Status().Start(
    "Loading all-MiniLM-L6-v2 (converted and cached on first use)...",
    _ => PretrainedEncoders.MiniLmL6V2());
AnsiConsole.MarkupLine($"Encoder: [green]{pretrained.Encoder.Config.NumHiddenLayers} layers, hidden {pretrained.Encoder.Config.HiddenSize}[/], cached in [grey]{PretrainedEncoders.MiniLmCacheDirectory()}[/]");

// Token labels and topics make a multitask model; the default options put casing back in at the input of the
// uncased encoder and pool the sentence head over all tokens. TuneNativeHeap lets the library tune glibc's heap for this
// whole process (at most two malloc arenas, freed memory kept): a lower memory peak while training and steadier
// predictions (docs/benchmarks.md). It is off by default, because it changes the host process.
using NerClassifier classifier = NerClassifier.Create(
    pretrained,
    DemoData.TokenLabels,
    DemoData.Topics,
    new ModelOptions { Predictor = new PredictorOptions { TuneNativeHeap = true } });

IReadOnlyList<TrainingExample> train = DemoData.Generate(400, seed: 1);
// Validation: sentences of the five held-out templates, whose shapes the model never trains on.
IReadOnlyList<TrainingExample> validation = DemoData.Generate(100, seed: 2, heldOut: true);
// Unlabelled text: only the words of more demo sentences; a teacher labels them for the student.
IReadOnlyList<IReadOnlyList<string>> unlabelled = DemoData.Generate(800, seed: 3).Select(e => e.Words).ToArray();
// The defaults are the best measured setting (docs/results.md); only the epochs are fewer for the small demo set.
var trainerOptions = new TrainerOptions { Epochs = 8 };

TrainingHistory history = await AnsiConsole.Progress()
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
    .StartAsync(async context =>
    {
        // Two stages report progress in turn: the teacher, then (its epochs counting from 1 again) the student.
        ProgressTask teacher = context.AddTask("Teacher", maxValue: 1);
        ProgressTask student = context.AddTask("Student", maxValue: 1);
        ProgressTask task = teacher;
        var progress = new Progress<TrainingProgress>(p =>
        {
            double done = ((p.Epoch - 1) + ((double)p.Step / p.StepsPerEpoch)) / p.Epochs;
            if (task == teacher && teacher.Value > 0.99 && done < 0.5)
            {
                teacher.Value = 1;
                task = student;
            }

            task.Value = done;
            task.Description = $"{(task == teacher ? "Teacher" : "Student")}: epoch {p.Epoch}/{p.Epochs}, loss {p.Loss:F3}, {p.ExamplesPerSecond:F0} sentences/s";
        });
        TrainingHistory result = await classifier.SelfTrainAsync(train, unlabelled, validation: validation, options: trainerOptions, progress: progress);
        teacher.Value = 1;
        student.Value = 1;
        return result;
    });

EvaluationResult scores = history.Epochs[^1].Validation!;
AnsiConsole.MarkupLine($"Trained on {Markup.Escape(classifier.Config.TrainedOn ?? "")}");
AnsiConsole.MarkupLine(
    $"Validation on {validation.Count} held-out demo sentences (from {DemoData.HeldOutTemplateCount} sentence templates never used in training): " +
    $"entity F1 [green]{scores.Entities!.F1:P1}[/], topic accuracy [green]{scores.Sentences!.Accuracy:P1}[/]");
foreach (string warning in history.Warnings)
{
    AnsiConsole.MarkupLine($"[yellow]Warning:[/] {Markup.Escape(warning)}");
}


string[] texts =
[
    "Elena Petrova met officials in Hanoi to discuss the border agreement.",
    "Riverton United beat Atlas Rovers 2-0 in Perth on Sunday.",
    "Helix Robotics shares rose after Kofi Mensah reported record profits.",
    "Quantel Systems unveiled the Photon Drive at a conference in Toronto.",
];
var table = new Table().AddColumns("Text", "Entities (type, characters)", "Topic");
foreach (Prediction prediction in classifier.PredictBatch(texts))
{
    string entities = string.Join("\n", prediction.Entities.Select(e => $"{e.Type} '{e.Text}' [{e.Start}..{e.End})"));
    table.AddRow(Markup.Escape(prediction.Text), Markup.Escape(entities), $"{prediction.Sentence!.Label} ({prediction.Sentence.Probability:P0})");
}

AnsiConsole.Write(table);

// The sentences of one document inform each other: DocumentContext leans an uncertain sentence's topic towards its
// document's, and gives repeated names one entity type. It revises predictions already made, at no extra cost.
string[] report =
[
    "Riverton United beat Atlas Rovers 2-0 in Perth on Sunday.",
    "Mensah scored both goals before the break.",
    "Tickets for the return game go on sale on Monday.",
];
IReadOnlyList<Prediction> alone = classifier.PredictBatch(report);
IReadOnlyList<Prediction> inContext = DocumentContext.Apply(alone);
var documentTable = new Table().AddColumns("Sentence of one report", "Topic alone", "Topic in its document");
for (int i = 0; i < report.Length; i++)
{
    documentTable.AddRow(
        Markup.Escape(report[i]),
        $"{alone[i].Sentence!.Label} ({alone[i].Sentence!.Probability:P0})",
        $"{inContext[i].Sentence!.Label} ({inContext[i].Sentence!.Probability:P0})");
}

AnsiConsole.Write(documentTable);
classifier.Save(output);
AnsiConsole.MarkupLine($"Saved the model to [green]{Path.GetFullPath(output)}[/]; load it with NerClassifier.Load(\"{output}\").");
