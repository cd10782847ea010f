using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NerClassify.Checkpoints;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Inference;
using NerClassify.IO;
using NerClassify.Models;
using NerClassify.Tokenization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NerClassify.Training;

/// <summary>
/// Fine-tunes any <see cref="TaskModel"/> in place: AdamW with decoupled weight decay on weights only, warm-up and
/// linear decay, gradient clipping and accumulation, length-bucketed batches, evaluation every epoch with the window
/// the model predicts with, best-epoch selection, early stopping, checkpoints that a later run resumes to the same
/// result, and self-training on unlabelled sentences. <see cref="NerClassifier"/> drives it; use it directly to train
/// a model you built from its layers.
/// </summary>
/// <remarks>
/// Training runs synchronously on a worker thread (TorchSharp's dispose scopes and no-grad state are
/// thread-local); the methods return a task for it. The token is checked before every batch. One trainer may run
/// several trainings, one after another or at once on different models.
/// </remarks>
public sealed partial class Trainer
{
    /// <summary>The subfolder of <see cref="TrainerOptions.CheckpointDirectory"/> that holds the rolling checkpoint, and that <see cref="TrainerOptions.ResumeFrom"/> points at.</summary>
    public const string LatestCheckpointFolder = "latest";

    // What an example's error names: the member of the TrainingSet argument that holds it.
    private const string TrainParameter = "data.Train";
    private const string ValidationParameter = "data.Validation";

    private readonly ILogger<Trainer> _logger;

    /// <summary>Creates a trainer.</summary>
    /// <param name="logger">Receives epoch summaries, evaluations and checkpoint events; null for none.</param>
    public Trainer(ILogger<Trainer>? logger = null)
    {
        _logger = logger ?? NullLogger<Trainer>.Instance;
    }

    /// <summary>Trains <paramref name="model"/> in place and records what it trained on in its <see cref="TaskModel.Config"/>.</summary>
    /// <param name="model">The model; moved to <see cref="TrainerOptions.Compute"/>'s device.</param>
    /// <param name="data">The vocabulary and the training (and validation) sentences.</param>
    /// <param name="options">Learning rate, epochs, schedule, checkpoints; null for the defaults.</param>
    /// <param name="progress">Receives a report after every optimiser step.</param>
    /// <param name="cancellationToken">Stops training before the next batch; the last checkpoint stays usable.</param>
    /// <returns>The per-epoch history.</returns>
    /// <exception cref="ArgumentException">
    /// (Thrown here, before the first step.) There is no training example, or an example is null, has a null word or
    /// tag, a tag count other than its word count, a tag (training) or sentence label the model lacks, a malformed tag
    /// (validation), or (training) no label for any of the model's tasks; the message names the example's index. Every
    /// training example has zero words. The checkpoint to resume from was written with another
    /// <see cref="TrainerOptions.BatchSize"/>; the message names both.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An option is out of range; the message names it. Or (from the task, before the first step)
    /// <see cref="TrainerOptions.MaxLength"/> exceeds the encoder's positions and a training sentence needs a window that
    /// long; the message names both numbers and the example.
    /// </exception>
    /// <exception cref="FileNotFoundException"><see cref="TrainerOptions.ResumeFrom"/> is not a checkpoint.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public Task<TrainingHistory> TrainAsync(
        TaskModel model,
        TrainingSet data,
        TrainerOptions? options = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options = (options ?? new TrainerOptions()).Validate();
        Check(model, data, options);
        return Background(() =>
        {
            TrainingHistory history = Train(model, data, options, progress, cancellationToken);
            model.Config = model.Config with
            {
                TrainedOn = data.Description ?? $"{data.Train.Count} sentences",
                TrainingMaxLength = options.MaxLength,
                TrainingStride = options.Stride,
            };
            return history;
        }, cancellationToken);
    }

    /// <summary>
    /// Self-training: trains <paramref name="model"/> as a teacher on the labelled sentences, lets it label
    /// <see cref="TrainingSet.Unlabelled"/> (their words are all it sees), keeps the sentences it is confident of, and
    /// trains a student from the model's starting weights on the labelled and the pseudo-labelled sentences together;
    /// with more rounds the student becomes the next teacher. The model ends as the last student.
    /// </summary>
    /// <param name="model">The model, at its starting weights.</param>
    /// <param name="data">The vocabulary, labelled, validation and <see cref="TrainingSet.Unlabelled"/> sentences.</param>
    /// <param name="selfTraining">Confidence thresholds, cap, rounds and student epochs; null for the defaults.</param>
    /// <param name="options">The teacher's and the students' settings; <see cref="TrainerOptions.ResumeFrom"/> must be null, and checkpoints go to <c>teacher</c> and <c>student-N</c> below <see cref="TrainerOptions.CheckpointDirectory"/>.</param>
    /// <param name="progress">Receives a report after every optimiser step of every stage.</param>
    /// <param name="cancellationToken">Stops before the next batch.</param>
    /// <returns>The last student's history.</returns>
    /// <exception cref="ArgumentException">An example does not fit the model, there are no unlabelled sentences, one of them or its word is null, or <see cref="TrainerOptions.ResumeFrom"/> is set.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public Task<TrainingHistory> SelfTrainAsync(
        TaskModel model,
        TrainingSet data,
        SelfTrainingOptions? selfTraining = null,
        TrainerOptions? options = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        selfTraining = (selfTraining ?? new SelfTrainingOptions()).Validate();
        options = (options ?? new TrainerOptions()).Validate();
        if (options.ResumeFrom is not null)
        {
            throw new ArgumentException("Self-training restarts the student from the starting weights; it cannot resume from a checkpoint (ResumeFrom must be null).", nameof(options));
        }

        Check(model, data, options);

        IReadOnlyList<IReadOnlyList<string>> unlabelled = data.Unlabelled
            ?? throw new ArgumentException("Self-training needs unlabelled sentences (TrainingSet.Unlabelled).", nameof(data));
        for (int i = 0; i < unlabelled.Count; i++)
        {
            if (unlabelled[i] is not { } words || words.Any(w => w is null))
            {
                throw new ArgumentException($"Unlabelled sentence {i} is null or has a null word.", nameof(data));
            }
        }

        return Background(() => SelfTrain(model, data, selfTraining, options, progress, cancellationToken), cancellationToken);
    }

    /// <summary>Scores <paramref name="model"/> on labelled sentences, with the window it predicts with.</summary>
    /// <exception cref="ArgumentException">An example is malformed (see <see cref="TrainAsync"/>); the message names its index.</exception>
    internal static EvaluationResult Evaluate(TaskModel model, BertVocabulary vocabulary, IReadOnlyList<TrainingExample> examples, TrainerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(examples);
        options = (options ?? new TrainerOptions()).Validate();
        TrainingExamples.Check(model, examples, nameof(examples), "Example", training: false);
        return Evaluate(model, Runner(model, vocabulary, model.Config.Encoding(), options), examples, options, cancellationToken);
    }

    private static void Check(TaskModel model, TrainingSet data, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(data.Vocabulary, nameof(data));
        ArgumentNullException.ThrowIfNull(data.Train, nameof(data));
        if (data.Train.Count == 0)
        {
            throw new ArgumentException("There are no training examples.", nameof(data));
        }

        // Everything is checked here, before the first step, rather than an epoch later.
        TrainingExamples.Check(model, data.Train, TrainParameter, "Training example", training: true);
        if (data.Train.All(example => example.Words.Count == 0))
        {
            // Such examples encode to nothing, so training would take no step and report a loss of 0.
            throw new ArgumentException($"All {data.Train.Count} training examples have zero words; there is nothing to train on.", TrainParameter);
        }
        if (data.Validation is { } validation)
        {
            TrainingExamples.Check(model, validation, ValidationParameter, "Validation example", training: false);
        }

        if (options.ResumeFrom is { } resume && !TrainingCheckpoint.Exists(resume))
        {
            throw new FileNotFoundException($"'{resume}' is not a training checkpoint: it has no {TrainingCheckpoint.StateFile}.", TrainingCheckpoint.StatePath(resume));
        }

        if (options.ResumeFrom is { } resumeFrom)
        {
            CheckSameBatchSize(resumeFrom, options);
        }
    }

    // The batch size sets the batches, the steps per epoch and so the learning-rate schedule: a run resumed with
    // another one would continue a different run. Checkpoints written before the size was recorded are not checked.
    private static void CheckSameBatchSize(string directory, TrainerOptions options)
    {
        if (TrainingCheckpoint.ReadState(directory).BatchSize is { } written && written != options.BatchSize)
        {
            throw new ArgumentException(
                $"The checkpoint '{directory}' was written with {nameof(TrainerOptions.BatchSize)} = {written}, but this run has {nameof(TrainerOptions.BatchSize)} = {options.BatchSize}; resume with {written} (other batches would change the steps and the learning-rate schedule).",
                nameof(TrainerOptions.ResumeFrom));
        }
    }

    /// <summary>
    /// Refuses, before the first step, a training window longer than the encoder's positions, which would otherwise
    /// fail at its first forward, possibly deep into an epoch. A <see cref="TrainerOptions.MaxLength"/> above the
    /// positions is refused only when a sentence needs such a window: windows never grow past the longest sentence,
    /// and the default of 128 exceeds the positions of small encoders. (Validation uses the model's prediction
    /// window, which its configuration keeps within the positions.)
    /// </summary>
    private static void CheckPositions(TaskModel model, List<EncodedSentence> encoded, TrainerOptions options)
    {
        int positions = model.Encoder.Config.MaxTokens;
        if (options.MaxLength <= positions)
        {
            return;
        }

        foreach (EncodedSentence window in encoded)
        {
            if (window.InputIds.Length > positions)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(TrainerOptions.MaxLength),
                    options.MaxLength,
                    $"{nameof(TrainerOptions)}.{nameof(TrainerOptions.MaxLength)} is {options.MaxLength}, but the encoder has only {positions} positions (max_position_embeddings), "
                    + $"and training example {window.SentenceIndex} needs a window of {window.InputIds.Length} subwords; set {nameof(TrainerOptions.MaxLength)} to at most {positions}.");
            }
        }
    }

    private static Task<T> Background<T>(Func<T> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private TrainingHistory SelfTrain(
        TaskModel model,
        TrainingSet data,
        SelfTrainingOptions selfTraining,
        TrainerOptions options,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        IReadOnlyList<IReadOnlyList<string>> unlabelled = data.Unlabelled!;
        Dictionary<string, Tensor> start = WeightSnapshots.Take(model);
        try
        {
            TrainerOptions teacher = options with { CheckpointDirectory = Stage(options.CheckpointDirectory, "teacher") };
            TrainingHistory history = Train(model, data, teacher, progress, cancellationToken);
            int pseudoCount = 0;
            for (int round = 1; round <= selfTraining.Rounds; round++)
            {
                model.to(options.Compute.Apply());
                ModelRunner runner = Runner(model, data.Vocabulary, model.Config.Encoding(), options);
                SentencePrediction[] predictions = Predict(model, runner, unlabelled, options, cancellationToken);
                IReadOnlyList<TrainingExample> pseudo = PseudoLabels.Select(unlabelled, predictions, model.TokenLabels, model.SequenceLabels, selfTraining, options.Seed + round);
                pseudoCount = pseudo.Count;
                LogPseudoLabelled(round, pseudo.Count, unlabelled.Count);
                StateDictLoader.Load(model, start, "the starting weights");
                int epochs = selfTraining.StudentEpochs ?? options.Epochs;
                TrainerOptions student = options with
                {
                    Epochs = epochs,
                    AverageLastEpochs = Math.Min(options.AverageLastEpochs, epochs),
                    CheckpointDirectory = Stage(options.CheckpointDirectory, $"student-{round}"),
                };
                history = Train(model, data with { Train = [.. data.Train, .. pseudo] }, student, progress, cancellationToken);
            }

            // "1,000 labelled + 13,041 unlabelled sentences (12,870 pseudo-labelled)", then where they came from.
            string counts = string.Create(CultureInfo.InvariantCulture, $"{data.Train.Count:N0} labelled + {unlabelled.Count:N0} unlabelled sentences ({pseudoCount:N0} pseudo-labelled)");
            string prefix = string.Create(CultureInfo.InvariantCulture, $"{data.Train.Count:N0} labelled + {unlabelled.Count:N0} unlabelled sentences");
            model.Config = model.Config with
            {
                TrainedOn = data.Description is { } description && description.StartsWith(prefix, StringComparison.Ordinal) ? counts + description[prefix.Length..] : counts,
                TrainingMaxLength = options.MaxLength,
                TrainingStride = options.Stride,
            };
            return history;
        }
        finally
        {
            WeightSnapshots.DisposeAll(start);
        }

        static string? Stage(string? directory, string name) => directory is null ? null : Path.Combine(directory, name);
    }

    private TrainingHistory Train(TaskModel model, TrainingSet data, TrainerOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        Device device = options.Compute.Apply();
        model.to(device);
        Parameter[] frozen = options.FreezeWordEmbeddings
            ? model.named_parameters().Where(p => p.name.EndsWith("word_embeddings.weight", StringComparison.Ordinal)).Select(p => p.parameter).ToArray()
            : [];
        foreach (Parameter parameter in frozen)
        {
            parameter.requires_grad = false;
        }

        try
        {
            // Training windows follow the options; validation uses the window the model will predict with, so the
            // scores that pick the best epoch are the scores Evaluate reports afterwards.
            List<EncodedSentence> encoded = TrainingExamples.Encode(model, Runner(model, data.Vocabulary, options.Encoding, options), data.Train);
            CheckPositions(model, encoded, options);
            using OptimizerGroups optimizer = OptimizerGroups.Create(model, options);
            var run = new TrainingRun
            {
                Model = model,
                Options = options,
                Encoded = encoded,
                PadId = data.Vocabulary.PadId,
                Device = device,
                Optimizer = optimizer,
                Schedule = Schedule(encoded, data.Vocabulary.PadId, options),
                BatchesPerEpoch = BatchPlanner.CreateBatches(encoded, data.Vocabulary.PadId, new BatchingOptions { BatchSize = options.BatchSize, LengthBucketing = options.LengthBucketing, Seed = options.Seed }).Count,
                Evaluator = Runner(model, data.Vocabulary, model.Config.Encoding(), options),
                Validation = data.Validation,
                Progress = progress,
                CancellationToken = cancellationToken,
            };
            return TrainEpochs(run);
        }
        finally
        {
            foreach (Parameter parameter in frozen)
            {
                parameter.requires_grad = true;
            }
        }
    }

    private static LearningRateScheduler Schedule(List<EncodedSentence> encoded, long padId, TrainerOptions options)
    {
        int batchesPerEpoch = BatchPlanner.CreateBatches(encoded, padId, new BatchingOptions { BatchSize = options.BatchSize, LengthBucketing = options.LengthBucketing, Seed = options.Seed }).Count;
        int stepsPerEpoch = (batchesPerEpoch + options.GradientAccumulationSteps - 1) / options.GradientAccumulationSteps;
        int totalSteps = stepsPerEpoch * options.Epochs;
        return new LearningRateScheduler(options, totalSteps, (int)Math.Ceiling(options.WarmupRatio * totalSteps));
    }

    private TrainingHistory TrainEpochs(TrainingRun run)
    {
        TrainerOptions options = run.Options;
        TaskModel model = run.Model;
        var state = new TrainerState();
        Dictionary<string, Tensor>? bestWeights = null;
        Dictionary<string, Tensor>? average = null;
        if (options.ResumeFrom is { } resume)
        {
            (state, average) = TrainingCheckpoint.Load(resume, model, run.Optimizer.Optimizer);
            LogResumed(resume, state.EpochsDone);
            int expected = options.AverageLastEpochs > 1 ? Math.Max(0, state.EpochsDone - (options.Epochs - options.AverageLastEpochs)) : 0;
            if (state.AveragedEpochs != expected)
            {
                WeightSnapshots.DisposeAll(average);
                throw new ArgumentException(
                    $"The checkpoint '{resume}' holds an average of {state.AveragedEpochs} epochs, but {nameof(TrainerOptions.AverageLastEpochs)} = {options.AverageLastEpochs} " +
                    $"over {options.Epochs} epochs needs {expected} after epoch {state.EpochsDone}; resume with the settings the checkpoint was written with.",
                    nameof(TrainerOptions.ResumeFrom));
            }
        }

        try
        {
            for (int epoch = state.EpochsDone + 1; epoch <= options.Epochs; epoch++)
            {
                EpochResult result = run.TrainEpoch(state, epoch);
                if (run.Validation is { Count: > 0 } validation && options.EvaluateEveryEpoch)
                {
                    run.Progress?.Report(run.EpochReport(result) with { Phase = TrainingPhase.Validating, ValidationSentences = validation.Count });
                    EvaluationResult scores = Evaluate(model, run.Evaluator, validation, options, run.CancellationToken);
                    result = result with { Validation = scores };
                    double score = scores.Score(options.SelectionMetric);
                    LogEvaluated(epoch, options.SelectionMetric, score);
                    if (state.BestEpoch is null || score > state.BestScore)
                    {
                        (state.BestScore, state.BestEpoch, state.EpochsWithoutImprovement) = (score, epoch, 0);
                        if (options.KeepBest)
                        {
                            WeightSnapshots.DisposeAll(bestWeights);
                            bestWeights = WeightSnapshots.Take(model);
                        }
                    }
                    else
                    {
                        state.EpochsWithoutImprovement++;
                    }
                }

                if (options.AverageLastEpochs > 1 && epoch > options.Epochs - options.AverageLastEpochs)
                {
                    average = WeightSnapshots.AddToAverage(average, model, ++state.AveragedEpochs);
                }

                state.History.Add(result);
                state.EpochsDone = epoch;
                LogEpoch(epoch, result.TrainLoss, result.TrainSeconds, result.ExamplesPerSecond);
                if (options.CheckpointDirectory is { } checkpoints)
                {
                    string directory = Path.Combine(checkpoints, TrainingCheckpoint.LatestFolder);
                    state.BatchSize = options.BatchSize;
                    TrainingCheckpoint.Save(directory, model, run.Optimizer.Optimizer, state, average);
                    LogCheckpoint(directory, state.EpochsDone);
                }

                run.Progress?.Report(run.EpochReport(result) with { Phase = TrainingPhase.EpochCompleted, CompletedEpoch = result });

                if (options.EarlyStoppingPatience is { } patience && state.EpochsWithoutImprovement >= patience)
                {
                    state.StoppedEarly = true;
                    LogStoppedEarly(epoch, patience);
                    break;
                }
            }

            if (bestWeights is not null)
            {
                StateDictLoader.Load(model, bestWeights, $"best epoch {state.BestEpoch}");
            }

            if (average is not null && state.AveragedEpochs > 1)
            {
                StateDictLoader.Load(model, average, $"average of the last {state.AveragedEpochs} epochs");
                LogAveraged(state.AveragedEpochs);
            }

            // The kept model's scores: the best epoch's when its weights were restored, else the last epoch's.
            EvaluationResult? kept = bestWeights is not null
                ? state.History.FirstOrDefault(e => e.Epoch == state.BestEpoch)?.Validation
                : state.History.Count > 0 && (average is null || state.AveragedEpochs <= 1) ? state.History[^1].Validation : null;
            string[] warnings = kept?.Sentences is { } sentences && OneClassCheck.Warning(sentences) is { } oneClass ? [oneClass] : [];
            foreach (string warning in warnings)
            {
                LogWarning(warning);
            }

            return state.ToHistory() with { Warnings = warnings };
        }
        finally
        {
            WeightSnapshots.DisposeAll(bestWeights);
            WeightSnapshots.DisposeAll(average);
        }
    }

    private static EvaluationResult Evaluate(TaskModel model, ModelRunner runner, IReadOnlyList<TrainingExample> examples, TrainerOptions options, CancellationToken cancellationToken)
    {
        SentencePrediction[] predictions = Predict(model, runner, examples.Select(e => e.Words).ToArray(), options, cancellationToken);
        return EvaluationResult.Compute(examples, predictions, model.TokenLabels, model.SequenceLabels);
    }

    /// <summary>Predicts with the model in evaluation mode, then puts it back in the mode it was in.</summary>
    private static SentencePrediction[] Predict(TaskModel model, ModelRunner runner, IReadOnlyList<IReadOnlyList<string>> sentences, TrainerOptions options, CancellationToken cancellationToken)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            return runner.Predict(sentences, options.EvaluationBatchSize, cancellationToken);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static ModelRunner Runner(TaskModel model, BertVocabulary vocabulary, EncodingOptions window, TrainerOptions options)
    {
        SubwordTokenizer tokenizer = SubwordTokenizer.For(vocabulary);
        return new ModelRunner(new TorchSharpBackend(model, new PredictorOptions { Compute = options.Compute }), tokenizer, window, options.ConstrainedDecoding);
    }

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "{Warning}")]
    private partial void LogWarning(string warning);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Self-training round {Round}: kept {Kept} of {Total} unlabelled sentences")]
    private partial void LogPseudoLabelled(int round, int kept, int total);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Epoch {Epoch}: loss {Loss:F4}, {Seconds:F1} s, {ExamplesPerSecond:F1} examples/s")]
    private partial void LogEpoch(int epoch, double loss, double seconds, double examplesPerSecond);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Epoch {Epoch}: validation {Metric} = {Score:F4}")]
    private partial void LogEvaluated(int epoch, SelectionMetric metric, double score);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Checkpoint written to {Directory} after epoch {Epoch}")]
    private partial void LogCheckpoint(string directory, int epoch);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Resuming from {Directory} after epoch {Epoch}")]
    private partial void LogResumed(string directory, int epoch);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "Kept the average of the weights of the last {Epochs} epochs")]
    private partial void LogAveraged(int epochs);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "Stopping early after epoch {Epoch}: no improvement in {Patience} epochs")]
    private partial void LogStoppedEarly(int epoch, int patience);
}
