using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NerClassify.Checkpoints;
using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Export;
using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.IO;
using NerClassify.Models;
using NerClassify.Tokenization;
using NerClassify.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify;

/// <summary>
/// One fine-tuned model at the job level: a <see cref="TaskModel"/> (encoder with a token head, a sentence head or
/// both), its vocabulary and label sets. It trains (through <see cref="Trainer"/>), evaluates, predicts, saves,
/// loads and exports to ONNX.
/// </summary>
/// <remarks>
/// <para>Ownership: the classifier owns its model. <see cref="Create"/> takes the encoder over from the
/// <see cref="PretrainedEncoder"/>, which then refuses to hand it to a second model; load the pretrained encoder again
/// for another one. <see cref="FromModel"/> takes over a model built from the layers. Dispose the classifier when
/// done; it waits for calls in flight and for training, and later calls throw <see cref="ObjectDisposedException"/>.</para>
/// <para>Threading: prediction and evaluation serve any number of concurrent callers, also while training runs.
/// Training works on a copy of the weights; predictions keep using the current model until training ends, then the
/// trained model replaces it (the old one is freed once the calls on it have finished). Two trainings at once each
/// start from the weights at their start, and the one that finishes last is kept.</para>
/// </remarks>
public sealed class NerClassifier : INerPredictor
{
    private readonly BertVocabulary _vocabulary;
    private readonly PredictorOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly HeadRegistry? _heads;
    private readonly CallGuard _guard = new(nameof(NerClassifier));
    private volatile Current _current;

    private NerClassifier(TaskModel model, BertVocabulary vocabulary, PredictorOptions options, ILoggerFactory? loggerFactory, HeadRegistry? heads)
    {
        _vocabulary = vocabulary;
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _heads = heads;
        model.Config = model.Config with { LowerCase = vocabulary.LowerCase };
        _current = Serve(model);
    }

    /// <inheritdoc />
    public ModelConfig Config => _current.Model.Config;

    /// <summary>The prediction settings.</summary>
    public PredictorOptions Options => _options;

    /// <summary>The task model predictions run on now (tests and the exporter); training replaces it.</summary>
    internal TaskModel Model => _current.Model;

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
        if (tokenLabels is null && sentenceLabels is null)
        {
            throw new ArgumentException("Give token labels, sentence labels or both.", nameof(tokenLabels));
        }

        int maxPositions = encoder.Encoder.Config.MaxTokens;
        (int maxLength, int stride) = ModelConfig.DefaultWindow(maxPositions, options.MaxLength, options.Stride);
        var config = new ModelConfig
        {
            Task = TaskKinds.FromHeads(tokenLabels is not null, sentenceLabels is not null),
            TokenLabels = tokenLabels?.ToArray(),
            SequenceLabels = sentenceLabels?.ToArray(),
            LowerCase = encoder.Vocabulary.LowerCase,
            MaxLength = maxLength,
            Stride = stride,
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

        if (maxLength > maxPositions)
        {
            throw new ArgumentOutOfRangeException(nameof(options), maxLength, $"MaxLength exceeds the encoder's {maxPositions} positions.");
        }

        BertVocabulary vocabulary = encoder.Vocabulary;
        if (options.Seed is { } seed)
        {
            manual_seed(seed);
        }

        TaskModel model = TaskModels.Create(encoder.TransferTo(nameof(NerClassifier)), config);
        return new NerClassifier(model, vocabulary, options.Predictor, loggerFactory, null);
    }

    /// <summary>
    /// Wraps a task model built from the layers (an encoder, heads of your own, a <see cref="Trainer"/>); the
    /// classifier takes it over and disposes it. Its <see cref="TaskModel.Config"/> gives the labels and the window.
    /// </summary>
    /// <param name="model">The model; the classifier owns it from now on.</param>
    /// <param name="vocabulary">The encoder's vocabulary.</param>
    /// <param name="options">Batching, decoding, device and threads; null for the defaults.</param>
    /// <param name="heads">Factories of the model's custom heads, which training through the classifier needs to copy the model; null when it has none.</param>
    /// <param name="loggerFactory">Receives training logs; null for none.</param>
    /// <exception cref="ArgumentException">The model's configuration is invalid (for example fewer than two labels); the message says why.</exception>
    public static NerClassifier FromModel(TaskModel model, BertVocabulary vocabulary, PredictorOptions? options = null, HeadRegistry? heads = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        model.Config.Validate();
        return new NerClassifier(model, vocabulary, (options ?? new PredictorOptions()).Validate(), loggerFactory, heads);
    }

    /// <summary>Loads a model directory written by <see cref="Save"/> (or a Hugging Face token or sequence classification directory).</summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="options">Batching, decoding, device and threads; null for the defaults.</param>
    /// <param name="loggerFactory">Receives logs; null for none.</param>
    /// <param name="heads">Factories of the custom heads <c>config.json</c> names (see <see cref="HeadRegistry"/>); null when it names none.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or the files disagree; the message names the file.</exception>
    /// <exception cref="InvalidOperationException"><c>config.json</c> names a custom head that <paramref name="heads"/> does not register.</exception>
    public static NerClassifier Load(string directory, PredictorOptions? options = null, ILoggerFactory? loggerFactory = null, HeadRegistry? heads = null)
    {
        options = (options ?? new PredictorOptions()).Validate();
        LoadedModel loaded = ModelDirectory.Load(directory, options.Compute, heads);
        return new NerClassifier(loaded.Model, loaded.Vocabulary, options, loggerFactory, heads);
    }

    /// <summary>Fine-tunes the model on labelled sentences.</summary>
    /// <param name="train">Training sentences; each needs tags, a sentence label or both, as the task asks.</param>
    /// <param name="validation">Sentences evaluated after every epoch, or null.</param>
    /// <param name="options">Learning rate, epochs, schedule, checkpoints; null for the defaults.</param>
    /// <param name="progress">Receives a report after every optimiser step, before each epoch's validation and after each epoch (<see cref="TrainingProgress.Phase"/>).</param>
    /// <param name="cancellationToken">Stops before the next batch; the last checkpoint stays usable, and the model is unchanged.</param>
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
        ObjectDisposedException.ThrowIf(_guard.IsDisposed, this);
        var data = new TrainingSet(_vocabulary, train, validation);
        return TrainCopyAsync((trainer, model) => trainer.TrainAsync(model, data, options, progress, cancellationToken));
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
        ObjectDisposedException.ThrowIf(_guard.IsDisposed, this);
        TrainingFileSet loaded = await TrainingFileSet.LoadAsync(Config.Task, files, cancellationToken).ConfigureAwait(false);
        return await TrainOnAsync(loaded, options, null, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fine-tunes the model on sentences loaded from files: on the labelled ones alone, or, when there is unlabelled
    /// text, by self-training (see <see cref="SelfTrainAsync"/>). <see cref="ModelConfig.TrainedOn"/> then reads the
    /// set's description (and how many sentences were pseudo-labelled).
    /// </summary>
    /// <param name="loaded">The sentences, from <see cref="TrainingFileSet.LoadAsync"/> or built by hand.</param>
    /// <param name="options">The training settings; null for the defaults.</param>
    /// <param name="selfTraining">Thresholds, cap, rounds and student epochs when there is unlabelled text; null for the defaults.</param>
    /// <param name="progress">Receives a report after every optimiser step of every stage.</param>
    /// <param name="cancellationToken">Stops before the next batch.</param>
    /// <returns>The per-epoch history (of the last student when self-training).</returns>
    internal Task<TrainingHistory> TrainOnAsync(
        TrainingFileSet loaded,
        TrainerOptions? options = null,
        SelfTrainingOptions? selfTraining = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ObjectDisposedException.ThrowIf(_guard.IsDisposed, this);
        var data = new TrainingSet(_vocabulary, loaded.Labelled, loaded.Validation) { Description = loaded.Description };
        return loaded.Unlabelled.Count > 0
            ? TrainCopyAsync((trainer, model) => trainer.SelfTrainAsync(model, data with { Unlabelled = loaded.Unlabelled }, selfTraining, options, progress, cancellationToken))
            : TrainCopyAsync((trainer, model) => trainer.TrainAsync(model, data, options, progress, cancellationToken));
    }

    /// <summary>
    /// Self-training (see <see cref="Trainer.SelfTrainAsync"/>): trains a teacher on the labelled sentences, lets it
    /// label <paramref name="unlabelled"/>, keeps the sentences it is confident of, and trains a student from this
    /// model's starting weights on both; the model becomes the last student.
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
        ObjectDisposedException.ThrowIf(_guard.IsDisposed, this);
        var data = new TrainingSet(_vocabulary, train, validation) { Unlabelled = unlabelled };
        return TrainCopyAsync((trainer, model) => trainer.SelfTrainAsync(model, data, selfTraining, options, progress, cancellationToken));
    }

    /// <inheritdoc />
    public Prediction Predict(string text) => Call(engine => engine.Predict(text));

    /// <inheritdoc />
    public Prediction Predict(IReadOnlyList<string> words) => Call(engine => engine.Predict(words));

    /// <inheritdoc />
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
        Call(engine => engine.PredictBatch(texts, cancellationToken));

    /// <inheritdoc />
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<IReadOnlyList<string>> sentences, CancellationToken cancellationToken = default) =>
        Call(engine => engine.PredictBatch(sentences, cancellationToken));

    /// <inheritdoc />
    public Task<Prediction> PredictAsync(string text, CancellationToken cancellationToken = default) =>
        CallAsync(engine => engine.PredictAsync(text, cancellationToken));

    /// <inheritdoc />
    public Task<IReadOnlyList<Prediction>> PredictBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default) =>
        CallAsync(engine => engine.PredictBatchAsync(texts, cancellationToken));

    /// <summary>Streams predictions for a stream of texts, in input order, one batch at a time.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public IAsyncEnumerable<Prediction> PredictStreamAsync(IAsyncEnumerable<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ObjectDisposedException.ThrowIf(_guard.IsDisposed, this);
        return _current.Engine.PredictStreamAsync(texts, cancellationToken);
    }

    /// <inheritdoc />
    public EvaluationResult Evaluate(IReadOnlyList<TrainingExample> examples, CancellationToken cancellationToken = default) =>
        Call(engine => engine.Evaluate(examples, cancellationToken));

    /// <inheritdoc />
    public Task<EvaluationResult> EvaluateAsync(string dataPath, string? labelsPath = null, CancellationToken cancellationToken = default) =>
        CallAsync(engine => engine.EvaluateAsync(dataPath, labelsPath, cancellationToken));

    /// <summary>
    /// Saves the model as a Hugging Face style directory (<c>config.json</c>, <c>model.safetensors</c>, <c>vocab.txt</c>,
    /// <c>tokenizer_config.json</c>) that <see cref="Load"/> reads. Other files in the directory are kept; the model's
    /// files are replaced atomically (see docs/model-format.md). A custom head is recorded by its type name, under which
    /// a <see cref="HeadRegistry"/> finds it again when the directory is loaded.
    /// </summary>
    /// <param name="directory">The destination.</param>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        using CallGuard.Lease lease = _guard.Enter();
        Current current = _current;
        using CallGuard.Lease model = current.Engine.Guard.Enter();
        ModelDirectory.Save(current.Model, _vocabulary, directory);
    }

    /// <summary>
    /// Exports the model to ONNX (opset 17) with its configuration and vocabulary in the metadata, so the file alone
    /// runs in <c>OnnxNerClassifier</c> (package NerClassify.OnnxRuntime). Written as <c>model.onnx</c> into a saved
    /// model directory, the directory loads there too.
    /// </summary>
    /// <param name="path">The ONNX file to write, atomically.</param>
    /// <exception cref="NotSupportedException">A head is not one of the library's (the message names it and says why).</exception>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using CallGuard.Lease lease = _guard.Enter();
        Current current = _current;
        using CallGuard.Lease model = current.Engine.Guard.Enter();
        OnnxExporter.Export(current.Model, path, ExportOptions());
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
        using CallGuard.Lease lease = _guard.Enter();
        Current current = _current;
        using CallGuard.Lease model = current.Engine.Guard.Enter();
        options = (options ?? new TritonExportOptions()) with { Onnx = ExportOptions() };
        return TritonExporter.Export(current.Model, repository, options);
    }

    /// <summary>Waits for calls in flight and for training, then frees the model; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_guard.BeginDispose())
        {
            _current.Engine.Dispose();
        }
    }

    /// <summary>The export settings that carry this model's configuration, vocabulary and weights fingerprint.</summary>
    internal OnnxExportOptions ExportOptions() => new()
    {
        LowerCase = _vocabulary.LowerCase,
        Encoding = Config.Encoding(),
        Config = Config,
        Vocabulary = _vocabulary,
        WeightsSha256 = CheckpointFiles.Fingerprint(CheckpointNames.ForFile(Model.state_dict(), Model.Encoder.Config.ModelType)),
    };

    private Current Serve(TaskModel model)
    {
        model.eval();
        return new Current(model, new PredictionEngine(new TorchSharpBackend(model, _options), _vocabulary, model.Config, _options, nameof(NerClassifier), model.Dispose));
    }

    /// <summary>
    /// Runs a call on the current engine. When training replaced the engine between reading it and entering it, the
    /// old one is disposed: the call runs again on the new one. A disposed classifier's error passes through.
    /// </summary>
    private T Call<T>(Func<PredictionEngine, T> call)
    {
        while (true)
        {
            PredictionEngine engine = _current.Engine;
            try
            {
                return call(engine);
            }
            catch (ObjectDisposedException) when (!ReferenceEquals(engine, _current.Engine))
            {
            }
        }
    }

    private async Task<T> CallAsync<T>(Func<PredictionEngine, Task<T>> call)
    {
        while (true)
        {
            PredictionEngine engine = _current.Engine;
            try
            {
                return await call(engine).ConfigureAwait(false);
            }
            catch (ObjectDisposedException) when (!ReferenceEquals(engine, _current.Engine))
            {
            }
        }
    }

    /// <summary>
    /// Trains a copy of the current model and, when training succeeds, serves the copy in its place. The classifier's
    /// guard keeps <see cref="Dispose"/> waiting until the training has ended.
    /// </summary>
    private async Task<TrainingHistory> TrainCopyAsync(Func<Trainer, TaskModel, Task<TrainingHistory>> train)
    {
        using CallGuard.Lease lease = _guard.Enter();
        TaskModel copy = Copy(_current);
        try
        {
            TrainingHistory history = await train(new Trainer(_loggerFactory.CreateLogger<Trainer>()), copy).ConfigureAwait(false);
            Current previous = _current;
            _current = Serve(copy);

            // Waits for the calls still running on the old model, then frees it.
            previous.Engine.Dispose();
            return history;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>A new model with the same configuration and a copy of the weights, on the same device.</summary>
    private TaskModel Copy(Current current)
    {
        using CallGuard.Lease lease = current.Engine.Guard.Enter();
        TaskModel model = current.Model;
        if (model.Encoder is not BertEncoder encoder)
        {
            throw new NotSupportedException($"Training through NerClassifier copies the model, which needs a BertEncoder; the model's encoder is {model.Encoder.GetType().Name}. Train the model with Trainer directly.");
        }

        TaskModel copy = TaskModels.Create(new BertEncoder(encoder.Config, encoder.HasPooler), model.Config, _heads, "this classifier's model");
        try
        {
            using (NewDisposeScope())
            {
                StateDictLoader.Load(copy, model.state_dict(), "the classifier's current weights");
            }

            copy.to(model.parameters().First().device);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>The model predictions run on and its engine, swapped together.</summary>
    private sealed record Current(TaskModel Model, PredictionEngine Engine);
}
