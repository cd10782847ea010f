using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NerClassify.Data;
using NerClassify.IO;
using NerClassify.Encoders;
using NerClassify.Export;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Checkpoints;
using NerClassify.Training;

namespace NerClassify;

/// <summary>
/// One fine-tuned model: a BERT encoder with a token head (entities), a sentence head (classes) or both, its
/// tokenizer and label sets. It trains, evaluates, predicts, saves, loads and exports to ONNX.
/// </summary>
/// <remarks>
/// <para>Ownership: the classifier owns its encoder and weights. <see cref="Create"/> takes the encoder over from the
/// <see cref="PretrainedEncoder"/>, which then refuses to hand it to a second model; load the pretrained encoder again
/// for another one. Dispose the classifier when done; it waits for calls in flight, and later calls throw
/// <see cref="ObjectDisposedException"/>.</para>
/// <para>Threading: prediction and evaluation serve any number of concurrent callers. Training runs alone: prediction
/// calls made meanwhile throw <see cref="InvalidOperationException"/>, and <see cref="Dispose"/> waits for it to end.</para>
/// </remarks>
public sealed partial class NerClassifier : INerPredictor
{
    private readonly TaskModel _model;
    private readonly BertVocabulary _vocabulary;
    private readonly PredictionEngine _engine;
    private readonly ILoggerFactory _loggerFactory;
    private readonly SemaphoreSlim _training = new(1, 1);
    private volatile bool _isTraining;

    private NerClassifier(TaskModel model, BertVocabulary vocabulary, ModelConfig config, PredictorOptions options, ILoggerFactory? loggerFactory)
    {
        _model = model;
        _vocabulary = vocabulary;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        model.eval();
        _engine = new PredictionEngine(new TorchSharpBackend(model), vocabulary, config, options, nameof(NerClassifier), model.Dispose);
    }

    /// <inheritdoc />
    public ModelConfig Config => _engine.Config;

    /// <summary>The prediction settings.</summary>
    public PredictorOptions Options => _engine.Options;

    /// <summary>The task model (tests and the exporter).</summary>
    internal TaskModel Model => _model;

    /// <summary>The vocabulary (tests and the exporter).</summary>
    internal BertVocabulary Vocabulary => _vocabulary;

    /// <summary>
    /// Creates an untrained model over a pretrained encoder. The task follows from the labels: token labels only give
    /// an entity model, sentence labels only a sentence classifier, both a multitask model (one encoder, two heads).
    /// </summary>
    /// <param name="encoder">The pretrained encoder; the new model takes its encoder over (see remarks of <see cref="NerClassifier"/>).</param>
    /// <param name="tokenLabels">Entity tags in id order (for example from <see cref="LabelSet"/>), or null.</param>
    /// <param name="sentenceLabels">Sentence classes in id order, or null.</param>
    /// <param name="options">Heads, loss weights, windows and prediction settings; null for the defaults.</param>
    /// <param name="loggerFactory">Receives training and loading logs; null for none.</param>
    /// <exception cref="ArgumentException">Neither label set is given, or a label set is invalid; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The encoder already belongs to another model.</exception>
    public static NerClassifier Create(
        PretrainedEncoder encoder,
        IReadOnlyList<string>? tokenLabels,
        IReadOnlyList<string>? sentenceLabels = null,
        ModelOptions? options = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        options = (options ?? new ModelOptions()).Validate();
        TaskKind task = (tokenLabels, sentenceLabels) switch
        {
            (not null, not null) => TaskKind.Multitask,
            (not null, null) => TaskKind.Token,
            (null, not null) => TaskKind.Sequence,
            _ => throw new ArgumentException("Give token labels, sentence labels or both.", nameof(tokenLabels)),
        };
        int maxLength = options.MaxLength ?? Math.Min(512, encoder.Encoder.Config.MaxPositionEmbeddings);
        var config = new ModelConfig
        {
            Task = task,
            TokenLabels = tokenLabels?.ToArray(),
            SequenceLabels = sentenceLabels?.ToArray(),
            LowerCase = encoder.Vocabulary.LowerCase,
            MaxLength = maxLength,
            Stride = options.Stride ?? Math.Min(128, maxLength / 4),
            EncoderHasPooler = encoder.Encoder.HasPooler,
            TokenHead = options.TokenHead,
            SentencePooling = options.SentencePooling,
            Loss = options.Loss,
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(e.Message, e.ParamName is nameof(ModelConfig.TokenLabels) ? nameof(tokenLabels) : e.ParamName is nameof(ModelConfig.SequenceLabels) ? nameof(sentenceLabels) : nameof(options), e);
        }

        if (maxLength > encoder.Encoder.Config.MaxPositionEmbeddings)
        {
            throw new ArgumentOutOfRangeException(nameof(options), maxLength, $"MaxLength exceeds the encoder's {encoder.Encoder.Config.MaxPositionEmbeddings} positions.");
        }

        BertVocabulary vocabulary = encoder.Vocabulary;
        if (options.Seed is { } seed)
        {
            TorchSharp.torch.manual_seed(seed);
        }

        TaskModel model = TaskModels.Create(encoder.TransferTo(nameof(NerClassifier)), config);
        return new NerClassifier(model, vocabulary, config, options.Predictor, loggerFactory);
    }

    /// <summary>Loads a model directory written by <see cref="Save"/> (or a Hugging Face token or sequence classification directory).</summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="options">Batching, decoding, device and threads; null for the defaults.</param>
    /// <param name="loggerFactory">Receives logs; null for none.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or the files disagree; the message names the file.</exception>
    public static NerClassifier Load(string directory, PredictorOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        options = (options ?? new PredictorOptions()).Validate();
        LoadedModel loaded = ModelDirectory.Load(directory, options.Compute);
        return new NerClassifier(loaded.Model, loaded.Vocabulary, loaded.Config, options, loggerFactory);
    }

    /// <summary>Wraps a task model built directly (tests, benchmarks); the classifier owns it.</summary>
    internal static NerClassifier FromModel(TaskModel model, BertVocabulary vocabulary, PredictorOptions? options = null) =>
        new(model, vocabulary, TaskModels.Describe(model, vocabulary.LowerCase), (options ?? new PredictorOptions()).Validate(), null);

    /// <summary>Fine-tunes the model on labelled sentences.</summary>
    /// <param name="train">Training sentences; each needs tags, a sentence label or both, as the task asks.</param>
    /// <param name="validation">Sentences evaluated after every epoch, or null.</param>
    /// <param name="options">Learning rate, epochs, schedule, checkpoints; null for the defaults.</param>
    /// <param name="progress">Receives a report after every optimiser step, before each epoch's validation and after each epoch (<see cref="TrainingProgress.Phase"/>).</param>
    /// <param name="cancellationToken">Stops before the next batch; the last checkpoint stays usable.</param>
    /// <returns>The per-epoch history.</returns>
    /// <exception cref="ArgumentException">An example does not fit the model (unknown tag or class, tag count); the message names its index.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public Task<TrainingHistory> TrainAsync(
        IReadOnlyList<TrainingExample> train,
        IReadOnlyList<TrainingExample>? validation = null,
        TrainerOptions? options = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ObjectDisposedException.ThrowIf(_engine.Guard.IsDisposed, this);
        var trainer = new Trainer(options, _loggerFactory.CreateLogger<Trainer>());
        return TrainCoreAsync(trainer, train, validation, null, progress, cancellationToken);
    }

    /// <summary>
    /// Fine-tunes the model on files: CoNLL for entities, text-label files for sentence classes, both joined for
    /// multitask. When <paramref name="files"/> names unlabelled text (<see cref="TrainingFiles.UnlabelledRest"/> or
    /// <see cref="TrainingFiles.UnlabelledFile"/>), the model self-trains with the default
    /// <see cref="SelfTrainingOptions"/> (see <see cref="SelfTrainAsync"/>), and <see cref="ModelConfig.TrainedOn"/> says
    /// exactly which sentences were used, for example "1,000 labelled + 13,041 unlabelled sentences (12,870
    /// pseudo-labelled): the first 1,000 rows of train.tsv joined to train.txt; the other sentences of train.txt, words only".
    /// </summary>
    /// <param name="files">The training (and validation) files and the choice of labelled and unlabelled sentences; see <see cref="TrainingFiles"/>.</param>
    /// <param name="options">Learning rate, epochs, schedule, checkpoints; null for the defaults.</param>
    /// <param name="progress">Receives a report after every optimiser step, before each epoch's validation and after each epoch (<see cref="TrainingProgress.Phase"/>).</param>
    /// <param name="cancellationToken">Stops reading or before the next batch.</param>
    /// <returns>The per-epoch history (of the last student when self-training).</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="FormatException">A file is malformed; the message names the file and line.</exception>
    public async Task<TrainingHistory> TrainAsync(
        TrainingFiles files,
        TrainerOptions? options = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ObjectDisposedException.ThrowIf(_engine.Guard.IsDisposed, this);
        TrainingSet data = await TrainingData.LoadSetAsync(Config.Task, files, cancellationToken).ConfigureAwait(false);
        return await TrainOnAsync(data, options, null, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fine-tunes the model on a loaded <see cref="TrainingSet"/>: on its labelled sentences alone, or, when it holds
    /// unlabelled text, by self-training (see <see cref="SelfTrainAsync"/>). <see cref="ModelConfig.TrainedOn"/> then
    /// reads the set's description (and how many sentences were pseudo-labelled).
    /// </summary>
    /// <param name="data">The sentences, from <see cref="TrainingData.LoadSetAsync"/> or built by hand.</param>
    /// <param name="options">The training settings; null for the defaults.</param>
    /// <param name="selfTraining">Thresholds, cap, rounds and student epochs when <paramref name="data"/> holds unlabelled text; null for the defaults.</param>
    /// <param name="progress">Receives a report after every optimiser step of every stage.</param>
    /// <param name="cancellationToken">Stops before the next batch.</param>
    /// <returns>The per-epoch history (of the last student when self-training).</returns>
    /// <exception cref="ArgumentException">An example does not fit the model, or self-training is asked to resume.</exception>
    internal Task<TrainingHistory> TrainOnAsync(
        TrainingSet data,
        TrainerOptions? options = null,
        SelfTrainingOptions? selfTraining = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_engine.Guard.IsDisposed, this);
        if (data.Unlabelled.Count > 0)
        {
            return SelfTrainCheckedAsync(data.Labelled, data.Unlabelled, selfTraining, data.Validation, options, progress, data.Description, cancellationToken);
        }

        var trainer = new Trainer(options, _loggerFactory.CreateLogger<Trainer>());
        return TrainCoreAsync(trainer, data.Labelled, data.Validation, data.Description, progress, cancellationToken);
    }

    /// <summary>
    /// Self-training: trains a teacher on the labelled sentences, lets it label <paramref name="unlabelled"/> (their words
    /// are all it sees), keeps the sentences it is confident of, and trains a student from this model's starting
    /// weights on the labelled and the pseudo-labelled sentences together; with more rounds the student becomes the
    /// next teacher. The model ends as the last student.
    /// </summary>
    /// <param name="train">Labelled training sentences, as for <see cref="TrainAsync(IReadOnlyList{TrainingExample}, IReadOnlyList{TrainingExample}?, TrainerOptions?, IProgress{TrainingProgress}?, CancellationToken)"/>.</param>
    /// <param name="unlabelled">Words of in-domain sentences without labels (for a CoNLL file, <see cref="TrainingData.LoadWordsAsync"/>).</param>
    /// <param name="selfTraining">Confidence thresholds, cap, rounds and student epochs; null for the defaults.</param>
    /// <param name="validation">Sentences evaluated after every epoch of every stage, or null.</param>
    /// <param name="options">The teacher's and the students' training settings; <see cref="TrainerOptions.ResumeFrom"/> must be null, and checkpoints go to <c>teacher</c> and <c>student-N</c> below <see cref="TrainerOptions.CheckpointDirectory"/>.</param>
    /// <param name="progress">Receives a report after every optimiser step of every stage, before each epoch's validation and after each epoch (<see cref="TrainingProgress.Phase"/>).</param>
    /// <param name="cancellationToken">Stops before the next batch.</param>
    /// <returns>The last student's history.</returns>
    /// <exception cref="ArgumentException">An example does not fit the model, an unlabelled sentence or word is null, or <see cref="TrainerOptions.ResumeFrom"/> is set.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    public Task<TrainingHistory> SelfTrainAsync(
        IReadOnlyList<TrainingExample> train,
        IReadOnlyList<IReadOnlyList<string>> unlabelled,
        SelfTrainingOptions? selfTraining = null,
        IReadOnlyList<TrainingExample>? validation = null,
        TrainerOptions? options = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(unlabelled);
        ObjectDisposedException.ThrowIf(_engine.Guard.IsDisposed, this);
        return SelfTrainCheckedAsync(train, unlabelled, selfTraining, validation, options, progress, null, cancellationToken);
    }

    private Task<TrainingHistory> SelfTrainCheckedAsync(
        IReadOnlyList<TrainingExample> train,
        IReadOnlyList<IReadOnlyList<string>> unlabelled,
        SelfTrainingOptions? selfTraining,
        IReadOnlyList<TrainingExample>? validation,
        TrainerOptions? options,
        IProgress<TrainingProgress>? progress,
        string? description,
        CancellationToken cancellationToken)
    {
        selfTraining = (selfTraining ?? new SelfTrainingOptions()).Validate();
        options = (options ?? new TrainerOptions()).Validate();
        if (options.ResumeFrom is not null)
        {
            throw new ArgumentException("Self-training restarts the student from the starting weights; it cannot resume from a checkpoint (ResumeFrom must be null).", nameof(options));
        }

        for (int i = 0; i < unlabelled.Count; i++)
        {
            if (unlabelled[i] is not { } words || words.Any(w => w is null))
            {
                throw new ArgumentException($"Unlabelled sentence {i} is null or has a null word.", nameof(unlabelled));
            }
        }

        return TrainExclusivelyAsync(options, () => SelfTrainCoreAsync(train, unlabelled, selfTraining, validation, options, progress, description, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Prediction Predict(string text) => NotTraining()._engine.Predict(text);

    /// <inheritdoc />
    public Prediction Predict(IReadOnlyList<string> words) => NotTraining()._engine.Predict(words);

    /// <inheritdoc />
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
        NotTraining()._engine.PredictBatch(texts, cancellationToken);

    /// <inheritdoc />
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<IReadOnlyList<string>> sentences, CancellationToken cancellationToken = default) =>
        NotTraining()._engine.PredictBatch(sentences, cancellationToken);

    /// <inheritdoc />
    public Task<Prediction> PredictAsync(string text, CancellationToken cancellationToken = default) =>
        NotTraining()._engine.PredictAsync(text, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Prediction>> PredictBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
        NotTraining()._engine.PredictBatchAsync(texts, cancellationToken);

    /// <summary>Streams predictions for a stream of texts, in input order, one batch at a time.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public IAsyncEnumerable<Prediction> PredictStreamAsync(IAsyncEnumerable<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return NotTraining()._engine.PredictStreamAsync(texts, cancellationToken);
    }

    /// <inheritdoc />
    public EvaluationResult Evaluate(IReadOnlyList<TrainingExample> examples, CancellationToken cancellationToken = default) =>
        NotTraining()._engine.Evaluate(examples, cancellationToken);

    /// <inheritdoc />
    public Task<EvaluationResult> EvaluateAsync(string dataPath, string? labelsPath = null, CancellationToken cancellationToken = default) =>
        NotTraining()._engine.EvaluateAsync(dataPath, labelsPath, cancellationToken);

    /// <summary>
    /// Saves the model as a Hugging Face style directory (<c>config.json</c>, <c>model.safetensors</c>, <c>vocab.txt</c>,
    /// <c>tokenizer_config.json</c>) that <see cref="Load"/> reads. Other files in the directory are kept; the model's
    /// files are replaced atomically (see docs/model-format.md).
    /// </summary>
    /// <param name="directory">The destination.</param>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        using CallGuard.Lease lease = _engine.Guard.Enter();
        ModelDirectory.Save(_model, _vocabulary, Config, directory);
    }

    /// <summary>
    /// Exports the model to ONNX (opset 17) with its configuration and vocabulary in the metadata, so the file alone
    /// runs in <c>OnnxNerClassifier</c> (package NerClassify.OnnxRuntime). Written as <c>model.onnx</c> into a saved
    /// model directory, the directory loads there too.
    /// </summary>
    /// <param name="path">The ONNX file to write, atomically.</param>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using CallGuard.Lease lease = _engine.Guard.Enter();
        OnnxExporter.Export(_model, path, ExportOptions());
    }

    /// <summary>
    /// Writes an NVIDIA Triton model repository: <c>REPOSITORY/NAME/VERSION/model.onnx</c>, a <c>config.pbtxt</c> with
    /// dynamic batching and the inputs and outputs of the graph, and the label files (see docs/serving.md).
    /// </summary>
    /// <param name="repository">The folder <c>tritonserver --model-repository</c> points at; created if missing.</param>
    /// <param name="options">Name, version, batch sizes and queue delay; null for the defaults.</param>
    /// <returns>The model's folder in the repository.</returns>
    public string ExportTriton(string repository, TritonExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        using CallGuard.Lease lease = _engine.Guard.Enter();
        options = (options ?? new TritonExportOptions()) with { Onnx = ExportOptions() };
        return TritonExporter.Export(_model, repository, options);
    }

    /// <summary>Waits for calls in flight, then frees the model; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _engine.Dispose();
    }

    private NerClassifier NotTraining() => _isTraining
        ? throw new InvalidOperationException("The model is training; predict or evaluate after TrainAsync has finished.")
        : this;

    /// <summary>The export settings that carry this model's configuration, vocabulary and weights fingerprint.</summary>
    internal OnnxExportOptions ExportOptions() => new()
    {
        LowerCase = _vocabulary.LowerCase,
        Encoding = Config.Encoding(),
        Config = Config,
        Vocabulary = _vocabulary,
        WeightsSha256 = CheckpointFiles.Fingerprint(_model.state_dict()),
    };

    private async Task<(TrainingHistory History, string TrainedOn)> SelfTrainCoreAsync(
        IReadOnlyList<TrainingExample> train,
        IReadOnlyList<IReadOnlyList<string>> unlabelled,
        SelfTrainingOptions selfTraining,
        IReadOnlyList<TrainingExample>? validation,
        TrainerOptions options,
        IProgress<TrainingProgress>? progress,
        string? description,
        CancellationToken cancellationToken)
    {
        ILogger logger = _loggerFactory.CreateLogger<NerClassifier>();
        Dictionary<string, TorchSharp.torch.Tensor> start = Trainer.Snapshot(_model);
        try
        {
            var teacher = new Trainer(options with { CheckpointDirectory = Stage(options.CheckpointDirectory, "teacher") }, _loggerFactory.CreateLogger<Trainer>());
            TrainingHistory history = await teacher.TrainAsync(_model, _vocabulary, train, validation, progress, cancellationToken).ConfigureAwait(false);
            int pseudoCount = 0;
            for (int round = 1; round <= selfTraining.Rounds; round++)
            {
                SentencePrediction[] predictions = await Task.Run(() => teacher.Predict(_model, _vocabulary, unlabelled, cancellationToken), cancellationToken).ConfigureAwait(false);
                IReadOnlyList<TrainingExample> pseudo = PseudoLabels.Select(unlabelled, predictions, _model.TokenLabels, _model.SequenceLabels, selfTraining, options.Seed + round);
                pseudoCount = pseudo.Count;
                LogPseudoLabelled(logger, round, pseudo.Count, unlabelled.Count);
                await Task.Run(() => StateDictLoader.Load(_model, start, "the starting weights"), cancellationToken).ConfigureAwait(false);
                int epochs = selfTraining.StudentEpochs ?? options.Epochs;
                var student = new Trainer(
                    options with
                    {
                        Epochs = epochs,
                        AverageLastEpochs = Math.Min(options.AverageLastEpochs, epochs),
                        CheckpointDirectory = Stage(options.CheckpointDirectory, $"student-{round}"),
                    },
                    _loggerFactory.CreateLogger<Trainer>());
                history = await student.TrainAsync(_model, _vocabulary, [.. train, .. pseudo], validation, progress, cancellationToken).ConfigureAwait(false);
                teacher = student;
            }

            // "1,000 labelled + 13,041 unlabelled sentences (12,870 pseudo-labelled)", then where they came from.
            string counts = string.Create(CultureInfo.InvariantCulture, $"{train.Count:N0} labelled + {unlabelled.Count:N0} unlabelled sentences ({pseudoCount:N0} pseudo-labelled)");
            string prefix = string.Create(CultureInfo.InvariantCulture, $"{train.Count:N0} labelled + {unlabelled.Count:N0} unlabelled sentences");
            return (history, description is not null && description.StartsWith(prefix, StringComparison.Ordinal) ? counts + description[prefix.Length..] : counts);
        }
        finally
        {
            Trainer.DisposeAll(start);
        }

        static string? Stage(string? directory, string name) => directory is null ? null : Path.Combine(directory, name);
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Self-training round {Round}: kept {Kept} of {Total} unlabelled sentences")]
    private static partial void LogPseudoLabelled(ILogger logger, int round, int kept, int total);

    private Task<TrainingHistory> TrainCoreAsync(
        Trainer trainer,
        IReadOnlyList<TrainingExample> train,
        IReadOnlyList<TrainingExample>? validation,
        string? description,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken) =>
        TrainExclusivelyAsync(
            trainer.Options,
            async () => (await trainer.TrainAsync(_model, _vocabulary, train, validation, progress, cancellationToken).ConfigureAwait(false), description ?? $"{train.Count} sentences"),
            cancellationToken);

    /// <summary>
    /// Runs <paramref name="train"/> as the only training of this model, with predictions refused meanwhile, then
    /// records what it trained on and with which windows, and puts the model back in evaluation mode.
    /// </summary>
    private async Task<TrainingHistory> TrainExclusivelyAsync(TrainerOptions options, Func<Task<(TrainingHistory History, string TrainedOn)>> train, CancellationToken cancellationToken)
    {
        using CallGuard.Lease lease = _engine.Guard.Enter();
        await _training.WaitAsync(cancellationToken).ConfigureAwait(false);
        _isTraining = true;
        try
        {
            (TrainingHistory history, string trainedOn) = await train().ConfigureAwait(false);
            _engine.Config = Config with { TrainedOn = trainedOn, TrainingMaxLength = options.MaxLength, TrainingStride = options.Stride };
            return history;
        }
        finally
        {
            _model.eval();
            _isTraining = false;
            _training.Release();
        }
    }
}
