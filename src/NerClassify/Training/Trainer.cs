using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NerClassify.Checkpoints;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Inference;
using NerClassify.IO;
using NerClassify.Metrics;
using NerClassify.Models;
using NerClassify.Tokenization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NerClassify.Training;

/// <summary>
/// Fine-tunes a <see cref="TaskModel"/>: AdamW with decoupled weight decay on weights only, warm-up and linear
/// decay, gradient clipping and accumulation, length-bucketed batches, evaluation every epoch, best-epoch
/// selection, early stopping, and checkpoints that a later run resumes to the same result.
/// </summary>
/// <remarks>
/// Training runs synchronously on a worker thread (TorchSharp's dispose scopes and no-grad state are
/// thread-local); <see cref="TrainAsync"/> returns a task for it. The token is checked before every batch.
/// </remarks>
internal sealed partial class Trainer
{
    private const string CheckpointName = "latest";
    private const string ModelFile = ModelFiles.Safetensors;
    private const string OptimizerFile = "optimizer.bin";
    private const string StateFile = "trainer_state.json";
    private const string AverageFile = "average.safetensors";

    private readonly ILogger<Trainer> _logger;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="logger">Receives epoch summaries, evaluations and checkpoint events.</param>
    public Trainer(TrainerOptions? options = null, ILogger<Trainer>? logger = null)
    {
        Options = (options ?? new TrainerOptions()).Validate();
        _logger = logger ?? NullLogger<Trainer>.Instance;
    }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Trains <paramref name="model"/> in place.</summary>
    /// <param name="model">The model; moved to the configured device.</param>
    /// <param name="vocabulary">The encoder's vocabulary.</param>
    /// <param name="train">Training sentences; each needs labels for at least one of the model's tasks.</param>
    /// <param name="validation">Sentences to evaluate after every epoch, or null.</param>
    /// <param name="progress">Receives a report after every optimiser step.</param>
    /// <param name="cancellationToken">Stops training before the next batch; the last checkpoint stays usable.</param>
    /// <returns>The per-epoch history.</returns>
    /// <exception cref="ArgumentException">
    /// (Thrown here, before the first step.) An example is null, has a null word or tag, a tag count other than its word
    /// count, a tag (training) or sentence label the model lacks, a malformed tag (validation), or (training) no label for
    /// any of the model's tasks; the message names the example's index. Every training example has zero words. The
    /// checkpoint to resume from was written with another <see cref="TrainerOptions.BatchSize"/>; the message names both.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// (From the task, before the first step.) <see cref="TrainerOptions.MaxLength"/> exceeds the encoder's positions and
    /// a training or validation sentence needs a window that long; the message names both numbers and the example.
    /// </exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public Task<TrainingHistory> TrainAsync(
        TaskModel model,
        BertVocabulary vocabulary,
        IReadOnlyList<TrainingExample> train,
        IReadOnlyList<TrainingExample>? validation = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
        {
            throw new ArgumentException("There are no training examples.", nameof(train));
        }

        // Everything is checked here, before the first step, rather than an epoch later.
        CheckExamples(model, train, nameof(train), "Training example", training: true);
        if (train.All(example => example.Words.Count == 0))
        {
            // Such examples encode to nothing, so training would take no step and report a loss of 0.
            throw new ArgumentException($"All {train.Count} training examples have zero words; there is nothing to train on.", nameof(train));
        }

        if (validation is not null)
        {
            CheckExamples(model, validation, nameof(validation), "Validation example", training: false);
        }

        if (Options.ResumeFrom is { } resume && !File.Exists(Path.Combine(resume, StateFile)))
        {
            throw new FileNotFoundException($"'{resume}' is not a training checkpoint: it has no {StateFile}.", Path.Combine(resume, StateFile));
        }

        if (Options.ResumeFrom is { } resumeFrom)
        {
            CheckSameBatchSize(resumeFrom);
        }

        return Task.Factory.StartNew(
            () => Train(model, vocabulary, train, validation, progress, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>Scores <paramref name="model"/> on labelled sentences.</summary>
    /// <param name="model">The model.</param>
    /// <param name="vocabulary">The encoder's vocabulary.</param>
    /// <param name="examples">Sentences with tags and/or sentence labels.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <exception cref="ArgumentException">An example is malformed (see <see cref="TrainAsync"/>); the message names its index.</exception>
    public EvaluationResult Evaluate(TaskModel model, BertVocabulary vocabulary, IReadOnlyList<TrainingExample> examples, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(examples);
        CheckExamples(model, examples, nameof(examples), "Example", training: false);
        return Evaluate(model, CreateRunner(model, vocabulary), examples, cancellationToken);
    }

    /// <summary>Predicts unlabelled sentences with the model in evaluation mode, decoding as the trainer scores.</summary>
    /// <param name="model">The model.</param>
    /// <param name="vocabulary">The encoder's vocabulary.</param>
    /// <param name="sentences">The sentences' words.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    internal SentencePrediction[] Predict(TaskModel model, BertVocabulary vocabulary, IReadOnlyList<IReadOnlyList<string>> sentences, CancellationToken cancellationToken)
    {
        model.to(Options.Compute.Apply());
        return Predict(model, CreateRunner(model, vocabulary), sentences, cancellationToken);
    }

    /// <summary>A copy of the model's weights on the CPU (the caller disposes it).</summary>
    internal static Dictionary<string, Tensor> Snapshot(TaskModel model)
    {
        using var noGrad = no_grad();
        return model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().clone());
    }

    /// <summary>Frees the tensors of a snapshot.</summary>
    internal static void DisposeAll(Dictionary<string, Tensor>? tensors)
    {
        foreach (Tensor tensor in tensors?.Values ?? Enumerable.Empty<Tensor>())
        {
            tensor.Dispose();
        }
    }

    /// <summary>
    /// Checks every example before any work: not null, words and tags not null and one tag per word, tags and sentence
    /// labels the model knows (for evaluation, tags need only be well formed, since entity scores allow types the model
    /// lacks), and, for training, a label for at least one of the model's tasks. Errors name the example's index.
    /// </summary>
    private static void CheckExamples(TaskModel model, IReadOnlyList<TrainingExample> examples, string paramName, string what, bool training)
    {
        LabelSet? tokenLabels = model.TokenLabels is null ? null : LabelSet.FromLabels(model.TokenLabels);
        HashSet<string>? classes = model.SequenceLabels is null ? null : new HashSet<string>(model.SequenceLabels, StringComparer.Ordinal);
        for (int i = 0; i < examples.Count; i++)
        {
            TrainingExample example = examples[i] ?? throw new ArgumentException($"{what} {i} is null.", paramName);
            IReadOnlyList<string> words = example.Words ?? throw new ArgumentException($"{what} {i} has no word list (Words is null).", paramName);
            for (int w = 0; w < words.Count; w++)
            {
                if (words[w] is null)
                {
                    throw new ArgumentException($"{what} {i}: word {w} is null.", paramName);
                }
            }

            if (example.Tags is { } tags)
            {
                if (tags.Count != words.Count)
                {
                    throw new ArgumentException($"{what} {i} has {words.Count} words but {tags.Count} tags; it needs one tag per word.", paramName);
                }

                CheckTags(tags, training ? tokenLabels : null, model, paramName, $"{what} {i}");
            }

            if (classes is not null && example.SentenceLabel is { } label && !classes.Contains(label))
            {
                throw new ArgumentException(
                    $"{what} {i}: sentence label '{LineExcerpt.Of(label)}' is not one of the model's classes ({string.Join(", ", model.SequenceLabels!)}).", paramName);
            }

            bool labelled = (tokenLabels is not null && example.Tags is not null) || (classes is not null && example.SentenceLabel is not null);
            if (training && !labelled)
            {
                throw new ArgumentException($"{what} {i} has no label for any of the model's tasks.", paramName);
            }
        }
    }

    private static void CheckTags(IReadOnlyList<string> tags, LabelSet? known, TaskModel model, string paramName, string where)
    {
        for (int t = 0; t < tags.Count; t++)
        {
            string? tag = tags[t];
            if (tag is null)
            {
                throw new ArgumentException($"{where}: tag {t} is null.", paramName);
            }

            if (known is not null && !known.TryGetId(tag, out _))
            {
                throw new ArgumentException(
                    $"{where}: tag '{LineExcerpt.Of(tag)}' is not one of the model's labels ({string.Join(", ", model.TokenLabels!)}).", paramName);
            }

            if (known is null && model.TokenLabels is not null)
            {
                // Evaluation scores entities, so a gold tag need only parse; the same parser reads it later.
                try
                {
                    ParsedTag.Parse(tag, paramName, sentence: null, t);
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException(
                        $"{where}: tag {t} '{LineExcerpt.Of(tag)}' is neither 'O' nor a B-, I-, E- or S- tag (typed or not).", paramName, e);
                }
            }
        }
    }

    private TrainingHistory Train(
        TaskModel model,
        BertVocabulary vocabulary,
        IReadOnlyList<TrainingExample> train,
        IReadOnlyList<TrainingExample>? validation,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        Device device = Options.Compute.Apply();
        model.to(device);
        Parameter[] frozen = Options.FreezeWordEmbeddings
            ? model.named_parameters().Where(p => p.name.EndsWith("word_embeddings.weight", StringComparison.Ordinal)).Select(p => p.parameter).ToArray()
            : [];
        foreach (Parameter parameter in frozen)
        {
            parameter.requires_grad = false;
        }

        try
        {
            return TrainEpochs(model, vocabulary, train, validation, progress, device, cancellationToken);
        }
        finally
        {
            foreach (Parameter parameter in frozen)
            {
                parameter.requires_grad = true;
            }
        }
    }

    private TrainingHistory TrainEpochs(
        TaskModel model,
        BertVocabulary vocabulary,
        IReadOnlyList<TrainingExample> train,
        IReadOnlyList<TrainingExample>? validation,
        IProgress<TrainingProgress>? progress,
        Device device,
        CancellationToken cancellationToken)
    {
        ModelRunner runner = CreateRunner(model, vocabulary);
        List<EncodedSentence> encoded = EncodeTraining(model, runner, train);
        CheckPositions(model, runner, encoded, validation);
        long padId = vocabulary.PadId;
        int batchesPerEpoch = BatchPlanner.CreateBatches(encoded, padId, BatchOptions(0)).Count;
        int stepsPerEpoch = (batchesPerEpoch + Options.GradientAccumulationSteps - 1) / Options.GradientAccumulationSteps;
        int totalSteps = stepsPerEpoch * Options.Epochs;
        int warmupSteps = (int)Math.Ceiling(Options.WarmupRatio * totalSteps);

        (OptimizerHelper optimizer, double[] scales) = CreateOptimizer(model);
        using OptimizerHelper ownedOptimizer = optimizer;
        var state = new RunState();
        Dictionary<string, Tensor>? bestWeights = null;
        Dictionary<string, Tensor>? average = null;
        if (Options.ResumeFrom is { } resume)
        {
            (state, average) = LoadCheckpoint(resume, model, optimizer);
            LogResumed(resume, state.EpochsDone);
            int expected = Options.AverageLastEpochs > 1 ? Math.Max(0, state.EpochsDone - (Options.Epochs - Options.AverageLastEpochs)) : 0;
            if (state.AveragedEpochs != expected)
            {
                DisposeAll(average);
                throw new ArgumentException(
                    $"The checkpoint '{resume}' holds an average of {state.AveragedEpochs} epochs, but {nameof(TrainerOptions.AverageLastEpochs)} = {Options.AverageLastEpochs} " +
                    $"over {Options.Epochs} epochs needs {expected} after epoch {state.EpochsDone}; resume with the settings the checkpoint was written with.",
                    nameof(TrainerOptions.ResumeFrom));
            }
        }

        try
        {
            for (int epoch = state.EpochsDone + 1; epoch <= Options.Epochs; epoch++)
            {
                EpochResult result = TrainEpoch(model, encoded, padId, device, optimizer, scales, state, epoch, stepsPerEpoch, totalSteps, warmupSteps, progress, cancellationToken);
                if (validation is { Count: > 0 } && Options.EvaluateEveryEpoch)
                {
                    progress?.Report(EpochReport(result, batchesPerEpoch) with { Phase = TrainingPhase.Validating, ValidationSentences = validation.Count });
                    EvaluationResult scores = Evaluate(model, runner, validation, cancellationToken);
                    result = result with { Validation = scores };
                    double score = scores.Score(Options.SelectionMetric);
                    LogEvaluated(epoch, Options.SelectionMetric, score);
                    if (state.BestEpoch is null || score > state.BestScore)
                    {
                        (state.BestScore, state.BestEpoch, state.EpochsWithoutImprovement) = (score, epoch, 0);
                        if (Options.KeepBest)
                        {
                            DisposeAll(bestWeights);
                            bestWeights = Snapshot(model);
                        }
                    }
                    else
                    {
                        state.EpochsWithoutImprovement++;
                    }
                }

                if (Options.AverageLastEpochs > 1 && epoch > Options.Epochs - Options.AverageLastEpochs)
                {
                    average = AddToAverage(average, model, ++state.AveragedEpochs);
                }

                state.History.Add(result);
                state.EpochsDone = epoch;
                LogEpoch(epoch, result.TrainLoss, result.TrainSeconds, result.ExamplesPerSecond);
                if (Options.CheckpointDirectory is { } checkpoints)
                {
                    SaveCheckpoint(Path.Combine(checkpoints, CheckpointName), model, optimizer, state, average);
                }

                progress?.Report(EpochReport(result, batchesPerEpoch) with { Phase = TrainingPhase.EpochCompleted, CompletedEpoch = result });

                if (Options.EarlyStoppingPatience is { } patience && state.EpochsWithoutImprovement >= patience)
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

            return new TrainingHistory(state.History.ToArray(), state.BestEpoch, state.StoppedEarly) { Warnings = warnings };
        }
        finally
        {
            DisposeAll(bestWeights);
            DisposeAll(average);
        }
    }

    /// <summary>A report at the end of an epoch: all its batches done, its mean loss, the time the remaining epochs would take at its pace.</summary>
    private TrainingProgress EpochReport(EpochResult epoch, int batchesPerEpoch) => new(
        epoch.Epoch, Options.Epochs, batchesPerEpoch, batchesPerEpoch, epoch.TrainLoss, epoch.TrainTokenLoss, epoch.TrainSequenceLoss,
        epoch.ExamplesPerSecond, TimeSpan.FromSeconds(epoch.TrainSeconds * (Options.Epochs - epoch.Epoch)));

    private EpochResult TrainEpoch(
        TaskModel model,
        List<EncodedSentence> encoded,
        long padId,
        Device device,
        OptimizerHelper optimizer,
        double[] scales,
        RunState state,
        int epoch,
        int stepsPerEpoch,
        int totalSteps,
        int warmupSteps,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        // Seeding per epoch makes an epoch's dropout masks and batch order independent of what ran before,
        // so a run resumed from a checkpoint continues exactly as an uninterrupted one.
        manual_seed(Options.Seed + epoch);
        IReadOnlyList<Batch> batches = BatchPlanner.CreateBatches(encoded, padId, BatchOptions(epoch));
        model.train();
        var clock = Stopwatch.StartNew();
        double lossSum = 0, tokenSum = 0, sequenceSum = 0;
        int tokenBatches = 0, sequenceBatches = 0, examples = 0;
        int accumulation = Options.GradientAccumulationSteps;
        Parameter[] trainable = model.parameters().Where(p => p.requires_grad).ToArray();
        using (NewDisposeScope())
        {
            // zero_grad wraps each gradient in a new handle; the scope releases them.
            optimizer.zero_grad();
        }

        for (int b = 0; b < batches.Count; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Batch batch = batches[b];
            using (NewDisposeScope())
            {
                ModelInputs inputs = TorchSharpBackend.ToInputs(batch, device, model.UsesCasing, model.UsesCharacters);
                Tensor? tokenLabels = batch.Labels is null ? null : tensor(batch.Labels, [batch.BatchSize, batch.SequenceLength], device: device);
                Tensor? sentenceLabels = batch.SentenceLabels is null ? null : tensor(batch.SentenceLabels, device: device);
                TaskLoss loss = model.ComputeLoss(model.Forward(inputs), tokenLabels, sentenceLabels);
                if (loss.Total.requires_grad)
                {
                    loss.Total.div(accumulation).backward();
                }

                // Each loss is read back once (item() waits for the value) and reused for the sums and the report.
                float total = loss.Total.item<float>();
                float? tokenLoss = loss.Token?.item<float>();
                float? sequenceLoss = loss.Sequence?.item<float>();
                lossSum += total;
                if (tokenLoss is { } token)
                {
                    tokenSum += token;
                    tokenBatches++;
                }

                if (sequenceLoss is { } sequence)
                {
                    sequenceSum += sequence;
                    sequenceBatches++;
                }

                if ((b + 1) % accumulation == 0 || b == batches.Count - 1)
                {
                    if (Options.MaxGradientNorm is { } norm)
                    {
                        nn.utils.clip_grad_norm_(trainable, norm);
                    }

                    SetLearningRate(optimizer, scales, LearningRateAt(state.GlobalStep, totalSteps, warmupSteps));
                    optimizer.step();
                    optimizer.zero_grad();
                    state.GlobalStep++;
                }

                examples += batch.BatchSize;
                if (progress is not null)
                {
                    double elapsed = clock.Elapsed.TotalSeconds;
                    double perBatch = elapsed / (b + 1);
                    int remainingBatches = (batches.Count - b - 1) + ((Options.Epochs - epoch) * batches.Count);
                    progress.Report(new TrainingProgress(
                        epoch, Options.Epochs, b + 1, batches.Count, total,
                        tokenLoss, sequenceLoss, examples / Math.Max(elapsed, 1e-9),
                        TimeSpan.FromSeconds(perBatch * remainingBatches)));
                }
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        (double Sequence, double Token)? weights = model is MultitaskModel multitask ? multitask.CurrentWeights() : null;
        return new EpochResult(
            epoch,
            lossSum / batches.Count,
            tokenBatches == 0 ? null : tokenSum / tokenBatches,
            sequenceBatches == 0 ? null : sequenceSum / sequenceBatches,
            optimizer.ParamGroups.First().LearningRate / scales[0],
            seconds,
            examples / seconds,
            null,
            weights?.Sequence,
            weights?.Token);
    }

    private EvaluationResult Evaluate(TaskModel model, ModelRunner runner, IReadOnlyList<TrainingExample> examples, CancellationToken cancellationToken)
    {
        SentencePrediction[] predictions = Predict(model, runner, examples.Select(e => e.Words).ToArray(), cancellationToken);
        return EvaluationResult.Compute(examples, predictions, model.TokenLabels, model.SequenceLabels);
    }

    /// <summary>Predicts with the model in evaluation mode, then puts it back in the mode it was in.</summary>
    private SentencePrediction[] Predict(TaskModel model, ModelRunner runner, IReadOnlyList<IReadOnlyList<string>> sentences, CancellationToken cancellationToken)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            return runner.Predict(sentences, Options.EvaluationBatchSize, cancellationToken);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private ModelRunner CreateRunner(TaskModel model, BertVocabulary vocabulary)
    {
        using Stream vocab = vocabulary.OpenRead();
        var tokenizer = BertWordTokenizer.Create(vocab, vocabulary.LowerCase);
        return new ModelRunner(new TorchSharpBackend(model), tokenizer, Options.Encoding, Options.ConstrainedDecoding);
    }

    /// <summary>
    /// Refuses, before the first step, a window longer than the encoder's positions, which would otherwise fail at its
    /// first forward, possibly deep into an epoch or at the first validation. A <see cref="TrainerOptions.MaxLength"/>
    /// above the positions is refused only when a sentence needs such a window: windows never grow past the longest
    /// sentence, and the default of 128 exceeds the positions of small encoders.
    /// </summary>
    private void CheckPositions(TaskModel model, ModelRunner runner, List<EncodedSentence> encoded, IReadOnlyList<TrainingExample>? validation)
    {
        int positions = model.Encoder.Config.MaxPositionEmbeddings;
        if (Options.MaxLength <= positions)
        {
            return;
        }

        IEnumerable<(string What, EncodedSentence Window)> windows = encoded.Select(w => ("training example", w));
        if (validation is not null)
        {
            windows = windows.Concat(validation.SelectMany((example, i) => runner.Encode(example.Words, null, null, i)).Select(w => ("validation example", w)));
        }

        foreach ((string what, EncodedSentence window) in windows)
        {
            if (window.InputIds.Length > positions)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(TrainerOptions.MaxLength),
                    Options.MaxLength,
                    $"{nameof(TrainerOptions)}.{nameof(TrainerOptions.MaxLength)} is {Options.MaxLength}, but the encoder has only {positions} positions (max_position_embeddings), "
                    + $"and {what} {window.SentenceIndex} needs a window of {window.InputIds.Length} subwords; set {nameof(TrainerOptions.MaxLength)} to at most {positions}.");
            }
        }
    }

    private static List<EncodedSentence> EncodeTraining(TaskModel model, ModelRunner runner, IReadOnlyList<TrainingExample> train)
    {
        LabelSet? tokenLabels = model.TokenLabels is null ? null : LabelSet.FromLabels(model.TokenLabels);
        var classIds = model.SequenceLabels?.Select((name, id) => (name, id)).ToDictionary(p => p.name, p => p.id);
        var encoded = new List<EncodedSentence>(train.Count);
        for (int i = 0; i < train.Count; i++)
        {
            TrainingExample example = train[i];
            int[]? labels = null;
            if (tokenLabels is not null && example.Tags is not null)
            {
                labels = example.Tags.Select(tag => tokenLabels.TryGetId(tag, out int id) ? id
                    : throw new ArgumentException($"Training example {i}: tag '{tag}' is not one of the model's labels ({string.Join(", ", model.TokenLabels!)}).", nameof(train))).ToArray();
            }

            int? sentenceLabel = null;
            if (classIds is not null && example.SentenceLabel is { } label)
            {
                sentenceLabel = classIds.TryGetValue(label, out int id) ? id
                    : throw new ArgumentException($"Training example {i}: sentence label '{label}' is not one of the model's classes ({string.Join(", ", model.SequenceLabels!)}).", nameof(train));
            }

            if (labels is null && sentenceLabel is null)
            {
                throw new ArgumentException($"Training example {i} has no label for any of the model's tasks.", nameof(train));
            }

            encoded.AddRange(runner.Encode(example.Words, labels, sentenceLabel, i));
        }

        return encoded;
    }

    private BatchingOptions BatchOptions(int epoch) => new()
    {
        BatchSize = Options.BatchSize,
        Shuffle = true,
        LengthBucketing = Options.LengthBucketing,
        Seed = Options.Seed + epoch,
    };

    /// <summary>
    /// AdamW with one parameter group per (learning-rate scale, decay or not): weights decay, biases, LayerNorm and
    /// loss weights do not; heads train at <see cref="TrainerOptions.HeadLearningRateMultiplier"/> times the rate and
    /// encoder layers at powers of <see cref="TrainerOptions.LayerLearningRateDecay"/>. The scales are returned in
    /// group order, for <see cref="SetLearningRate"/>.
    /// </summary>
    private (OptimizerHelper Optimizer, double[] Scales) CreateOptimizer(TaskModel model)
    {
        int layerCount = model.Encoder.Config.NumHiddenLayers;
        var groups = new SortedDictionary<(double Scale, bool Decay), List<Parameter>>();
        foreach ((string name, Parameter parameter) in model.named_parameters().Where(p => p.parameter.requires_grad))
        {
            bool exempt = name.EndsWith("bias", StringComparison.Ordinal) || name.Contains("LayerNorm", StringComparison.Ordinal) || name.Contains("loss_log_variances", StringComparison.Ordinal);
            var key = (LearningRateScale(name, layerCount), !exempt);
            if (!groups.TryGetValue(key, out List<Parameter>? members))
            {
                groups[key] = members = [];
            }

            members.Add(parameter);
        }

        var paramGroups = groups.Select(g => new AdamW.ParamGroup(
            g.Value,
            new AdamW.Options { LearningRate = Options.LearningRate * g.Key.Scale, weight_decay = g.Key.Decay ? Options.WeightDecay : 0 })).ToArray();
        return (optim.AdamW(paramGroups, Options.LearningRate, weight_decay: Options.WeightDecay), groups.Keys.Select(k => k.Scale).ToArray());
    }

    /// <summary>The multiple of the learning rate that the parameter <paramref name="name"/> trains at.</summary>
    internal double LearningRateScale(string name, int layerCount)
    {
        const string encoderPrefix = "bert.";
        const string layerPrefix = "bert.encoder.layer.";
        if (!name.StartsWith(encoderPrefix, StringComparison.Ordinal))
        {
            return Options.HeadLearningRateMultiplier;
        }

        double decay = Options.LayerLearningRateDecay;
        if (name.StartsWith(layerPrefix, StringComparison.Ordinal))
        {
            int end = name.IndexOf('.', layerPrefix.Length);
            int layer = int.Parse(name.AsSpan(layerPrefix.Length, end - layerPrefix.Length), System.Globalization.CultureInfo.InvariantCulture);
            return Math.Pow(decay, layerCount - 1 - layer);
        }

        return name.StartsWith("bert.embeddings.", StringComparison.Ordinal) ? Math.Pow(decay, layerCount) : 1;
    }

    private double LearningRateAt(int step, int totalSteps, int warmupSteps)
    {
        if (step < warmupSteps)
        {
            return Options.LearningRate * (step + 1) / warmupSteps;
        }

        if (Options.Schedule == LearningRateSchedule.Constant)
        {
            return Options.LearningRate;
        }

        double remaining = (double)(totalSteps - step) / Math.Max(1, totalSteps - warmupSteps);
        return Options.LearningRate * Math.Clamp(remaining, 0, 1);
    }

    private static void SetLearningRate(OptimizerHelper optimizer, double[] scales, double rate)
    {
        int i = 0;
        foreach (ParamGroup group in optimizer.ParamGroups)
        {
            group.LearningRate = rate * scales[i++];
        }
    }

    /// <summary>
    /// Folds the model's current weights into the running mean of <paramref name="count"/> epochs (the first call
    /// copies them). Floating-point tensors are averaged; any others keep the latest value.
    /// </summary>
    private static Dictionary<string, Tensor> AddToAverage(Dictionary<string, Tensor>? average, TaskModel model, int count)
    {
        if (average is null)
        {
            return Snapshot(model);
        }

        using var noGrad = no_grad();
        foreach ((string name, Tensor weights) in model.state_dict())
        {
            Tensor mean = average[name];
            using Tensor current = weights.detach().cpu();
            if (mean.is_floating_point())
            {
                // mean += (current - mean) / count: the running mean, exact for any number of epochs.
                using Tensor step = current.sub(mean).div_(count);
                mean.add_(step);
            }
            else
            {
                mean.copy_(current);
            }
        }

        return average;
    }

    private void SaveCheckpoint(string directory, TaskModel model, OptimizerHelper optimizer, RunState state, Dictionary<string, Tensor>? average)
    {
        AtomicDirectory.Replace(directory, staging =>
        {
            CheckpointFiles.WriteSafetensors(Path.Combine(staging, ModelFile), model.state_dict());
            if (average is not null)
            {
                CheckpointFiles.WriteSafetensors(Path.Combine(staging, AverageFile), average);
            }

            optimizer.save_state_dict(Path.Combine(staging, OptimizerFile));
            File.WriteAllText(Path.Combine(staging, StateFile), JsonSerializer.Serialize(state.ToStored() with { BatchSize = Options.BatchSize }));
        });
        LogCheckpoint(directory, state.EpochsDone);
    }

    // The batch size sets the batches, the steps per epoch and so the learning-rate schedule: a run resumed with
    // another one would continue a different run. Checkpoints written before the size was recorded are not checked.
    private void CheckSameBatchSize(string directory)
    {
        StoredRunState stored = ReadState(Path.Combine(directory, StateFile));
        if (stored.BatchSize is { } written && written != Options.BatchSize)
        {
            throw new ArgumentException(
                $"The checkpoint '{directory}' was written with {nameof(TrainerOptions.BatchSize)} = {written}, but this run has {nameof(TrainerOptions.BatchSize)} = {Options.BatchSize}; resume with {written} (other batches would change the steps and the learning-rate schedule).",
                nameof(TrainerOptions.ResumeFrom));
        }
    }

    private static StoredRunState ReadState(string statePath)
    {
        try
        {
            return JsonSerializer.Deserialize<StoredRunState>(File.ReadAllText(statePath))
                ?? throw new InvalidDataException($"'{statePath}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{statePath}' is not a valid trainer state: {e.Message}", e);
        }
    }

    private static (RunState State, Dictionary<string, Tensor>? Average) LoadCheckpoint(string directory, TaskModel model, OptimizerHelper optimizer)
    {
        StoredRunState stored = ReadState(Path.Combine(directory, StateFile));

        using (NewDisposeScope())
        {
            string weights = Path.Combine(directory, ModelFile);
            StateDictLoader.Load(model, CheckpointFiles.Read(weights), weights);
        }

        optimizer.load_state_dict(Path.Combine(directory, OptimizerFile));
        RunState state = RunState.FromStored(stored);
        string averagePath = Path.Combine(directory, AverageFile);
        if (state.AveragedEpochs == 0)
        {
            return (state, null);
        }

        if (!File.Exists(averagePath))
        {
            throw new InvalidDataException($"'{directory}' averages {state.AveragedEpochs} epochs but has no {AverageFile}.");
        }

        using (NewDisposeScope())
        {
            var average = CheckpointFiles.Read(averagePath).ToDictionary(p => p.Key, p => p.Value.clone().DetachFromDisposeScope());
            return (state, average);
        }
    }

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

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "{Warning}")]
    private partial void LogWarning(string warning);

    private sealed class RunState
    {
        public int EpochsDone { get; set; }

        public int GlobalStep { get; set; }

        public double BestScore { get; set; } = double.NegativeInfinity;

        public int? BestEpoch { get; set; }

        public int EpochsWithoutImprovement { get; set; }

        public bool StoppedEarly { get; set; }

        public int AveragedEpochs { get; set; }

        public List<EpochResult> History { get; } = [];

        public static RunState FromStored(StoredRunState stored)
        {
            var state = new RunState
            {
                EpochsDone = stored.EpochsDone,
                GlobalStep = stored.GlobalStep,
                BestScore = stored.BestScore ?? double.NegativeInfinity,
                BestEpoch = stored.BestEpoch,
                EpochsWithoutImprovement = stored.EpochsWithoutImprovement,
                AveragedEpochs = stored.AveragedEpochs,
            };
            state.History.AddRange(TrainingHistory.FromJson(stored.History).Epochs);
            return state;
        }

        public StoredRunState ToStored() => new(
            EpochsDone,
            GlobalStep,
            double.IsFinite(BestScore) ? BestScore : null,
            BestEpoch,
            EpochsWithoutImprovement,
            new TrainingHistory(History.ToArray(), BestEpoch, StoppedEarly).ToJson(),
            AveragedEpochs);
    }

    private sealed record StoredRunState(int EpochsDone, int GlobalStep, double? BestScore, int? BestEpoch, int EpochsWithoutImprovement, string History, int AveragedEpochs = 0, int? BatchSize = null);
}
