using NerClassify.Checkpoints;
using NerClassify.Checkpoints.Onnx;
using NerClassify.Encoders.Bert;
using NerClassify.IO;
using NerClassify.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

using NerClassify.Encoders;

namespace NerClassify;

/// <summary>
/// A pretrained encoder with its vocabulary: what a Hugging Face BERT, RoBERTa or XLM-RoBERTa model directory holds
/// (<c>config.json</c>, <c>model.safetensors</c> or <c>pytorch_model.bin</c>, and <c>vocab.txt</c>, <c>vocab.json</c> +
/// <c>merges.txt</c> or <c>sentencepiece.bpe.model</c>).
/// </summary>
public sealed class PretrainedEncoder : IDisposable
{
    private const string ConfigFile = ModelFiles.Config;
    private readonly BertEncoder _encoder;
    private string? _owner;
    private bool _disposed;

    /// <summary>Wraps an encoder and its vocabulary.</summary>
    /// <param name="encoder">The encoder; the new object owns it until a model takes it over.</param>
    /// <param name="vocabulary">Its vocabulary.</param>
    /// <exception cref="ArgumentException">The vocabulary has more tokens than the encoder embeds.</exception>
    public PretrainedEncoder(BertEncoder encoder, BertVocabulary vocabulary)
        : this(encoder, vocabulary, null)
    {
    }

    /// <summary>Wraps an encoder loaded from files, with the report of which keys matched.</summary>
    internal PretrainedEncoder(BertEncoder encoder, BertVocabulary vocabulary, LoadReport? loadReport)
    {
        _encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        Vocabulary = vocabulary ?? throw new ArgumentNullException(nameof(vocabulary));
        if (vocabulary.Tokens.Count > encoder.Config.VocabSize)
        {
            throw new ArgumentException($"The vocabulary has {vocabulary.Tokens.Count} tokens but the encoder embeds only {encoder.Config.VocabSize}.", nameof(vocabulary));
        }

        LoadReport = loadReport;
    }

    /// <summary>The encoder, until a model takes it over.</summary>
    /// <exception cref="ObjectDisposedException">This instance was disposed.</exception>
    /// <exception cref="InvalidOperationException">A model owns the encoder now (see <see cref="NerClassifier.Create"/>).</exception>
    public BertEncoder Encoder
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _owner is null ? _encoder
                : throw new InvalidOperationException($"This encoder belongs to {_owner} now, which disposes it; load the pretrained encoder again for another model.");
        }
    }

    /// <summary>Its vocabulary.</summary>
    public BertVocabulary Vocabulary { get; }

    /// <summary>Which checkpoint keys matched, when the encoder was loaded from files.</summary>
    internal LoadReport? LoadReport { get; }

    /// <summary>Loads a Hugging Face BERT, RoBERTa or XLM-RoBERTa model directory (<c>model_type</c> <c>bert</c>, <c>roberta</c> or <c>xlm-roberta</c>).</summary>
    /// <param name="directory">Holds <c>config.json</c>, the tokenizer files (see <see cref="BertVocabulary.Load(string)"/>) and <c>model.safetensors</c> or <c>pytorch_model.bin</c>.</param>
    /// <param name="options">Device, threads, strictness.</param>
    /// <exception cref="FileNotFoundException">A required file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, a shape differs or (when strict) a key is missing; the message names the file and key.</exception>
    public static PretrainedEncoder Load(string directory, EncoderLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options = (options ?? new EncoderLoadOptions()).Validate();
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Model directory '{directory}' does not exist.");
        }

        string configPath = Path.Combine(directory, ConfigFile);
        BertConfig config = BertConfig.Load(configPath);
        BertVocabulary vocabulary = BertVocabulary.Load(directory);
        if (vocabulary.Tokens.Count > config.VocabSize)
        {
            throw new InvalidDataException(
                $"'{Path.Combine(directory, vocabulary.TokensFileName)}' has {vocabulary.Tokens.Count} tokens but '{configPath}' says vocab_size {config.VocabSize}: the encoder could not embed the extra tokens.");
        }

        string weights = CheckpointFiles.FindWeights(directory);
        long maxTensorBytes = ModelSizeGuard.Check(config, configPath, weights, options.MaxParameters, options.Strict);
        Device device = options.Compute.Apply();

        // Modules are built outside any scope (an Embedding built inside one loses its registered weight when
        // the scope ends); the checkpoint's tensors belong to no scope and are disposed here.
        Dictionary<string, Tensor> state = CheckpointFiles.ReadUnscoped(weights, maxTensorBytes);
        BertEncoder? encoder = null;
        try
        {
            bool hasPooler = state.Keys.Any(k => k.Contains("pooler.dense.", StringComparison.Ordinal));
            encoder = Build(config, hasPooler, configPath);
            LoadReport report;
            using (NewDisposeScope())
            {
                report = StateDictLoader.Load(encoder, state, weights, options.Strict);
            }

            encoder.to(device);
            return new PretrainedEncoder(encoder, vocabulary, report);
        }
        catch
        {
            encoder?.Dispose();
            throw;
        }
        finally
        {
            foreach (Tensor tensor in state.Values)
            {
                tensor.Dispose();
            }
        }
    }

    // The allocator reports failure with an ExternalException that names no file; say which config asked for it.
    private static BertEncoder Build(BertConfig config, bool hasPooler, string configPath)
    {
        try
        {
            return new BertEncoder(config, hasPooler);
        }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            throw new InvalidDataException(
                $"The encoder of '{configPath}' ({config.CountParameters():N0} parameters) could not be allocated: {e.Message}", e);
        }
    }

    /// <summary>
    /// Loads a BERT-family checkpoint by Hugging Face model id (for example <c>bert-base-cased</c> or <c>xlm-roberta-base</c>): downloaded once into
    /// the Hugging Face cache with <see cref="Hub.HubClient"/>, verified, then read from there (offline with
    /// <c>HF_HUB_OFFLINE=1</c>).
    /// </summary>
    /// <param name="modelId">The model id, <c>org/name</c> or <c>name</c>.</param>
    /// <param name="hub">Revision, endpoint, token, cache folder, offline mode.</param>
    /// <param name="options">Device, threads, strictness.</param>
    /// <param name="progress">Download progress.</param>
    /// <param name="cancellationToken">Stops the download.</param>
    public static async Task<PretrainedEncoder> FromPretrainedAsync(
        string modelId,
        Hub.HubOptions? hub = null,
        EncoderLoadOptions? options = null,
        IProgress<Hub.DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        using var client = new Hub.HubClient();
        string directory = await client.DownloadModelAsync(modelId, hub, progress, cancellationToken).ConfigureAwait(false);
        return Load(directory, options);
    }

    /// <summary>
    /// Imports a BERT encoder exported to ONNX (sentence-transformers, Optimum or <c>torch.onnx</c> exports):
    /// the shape is inferred from the graph and every weight is converted to Hugging Face names and layouts.
    /// </summary>
    /// <param name="onnxModel">The <c>.onnx</c> file's content; read to the end, not disposed.</param>
    /// <param name="vocabulary">The model's <c>vocab.txt</c>; read to the end, not disposed.</param>
    /// <param name="lowerCase">Whether the model is uncased, or null to infer it from the vocabulary.</param>
    /// <param name="options">Device and threads.</param>
    /// <param name="name">What errors call the model, for example the folder or file the streams were read from; null for "the ONNX model".</param>
    /// <exception cref="InvalidDataException">
    /// The graph is not a BERT encoder this importer understands, or the vocabulary is empty, not text, lacks a special
    /// token or is longer than the graph's embedding; the message names <paramref name="name"/> and what is wrong.
    /// </exception>
    public static PretrainedEncoder FromOnnx(Stream onnxModel, Stream vocabulary, bool? lowerCase = null, EncoderLoadOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentNullException.ThrowIfNull(vocabulary);
        options = (options ?? new EncoderLoadOptions()).Validate();
        string model = name is null ? "the ONNX model" : $"the ONNX model '{name}'";
        BertVocabulary vocab = BertVocabulary.Read(vocabulary, lowerCase, name is null ? "The vocabulary" : $"The vocabulary of '{name}'");
        OnnxBertWeights weights;
        try
        {
            weights = OnnxBertImporter.Import(onnxModel);
        }
        catch (InvalidDataException e) when (name is not null)
        {
            throw new InvalidDataException($"'{name}': {e.Message}", e);
        }

        OnnxBertShape shape = weights.Shape;
        if (vocab.Tokens.Count > shape.VocabSize)
        {
            throw new InvalidDataException(
                $"The vocabulary{(name is null ? string.Empty : $" of '{name}'")} has {vocab.Tokens.Count} tokens but {model} embeds only {shape.VocabSize}: the encoder could not embed the extra tokens.");
        }

        var config = new BertConfig
        {
            VocabSize = shape.VocabSize,
            HiddenSize = shape.HiddenSize,
            NumHiddenLayers = shape.NumLayers,
            NumAttentionHeads = shape.NumAttentionHeads,
            IntermediateSize = shape.IntermediateSize,
            MaxPositionEmbeddings = shape.MaxPositionEmbeddings,
            TypeVocabSize = shape.TypeVocabSize,
            LayerNormEps = shape.LayerNormEps,
            PadTokenId = Math.Max(0, vocab.PadId),
        };

        try
        {
            config.Validate();
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or NotSupportedException)
        {
            throw new InvalidDataException($"{char.ToUpperInvariant(model[0])}{model[1..]} describes an encoder this library cannot build: {e.Message}", e);
        }

        if (config.CountParameters() > options.MaxParameters)
        {
            throw new InvalidDataException(
                $"{char.ToUpperInvariant(model[0])}{model[1..]} describes {config.CountParameters():N0} parameters, more than the limit of {options.MaxParameters:N0} (EncoderLoadOptions.MaxParameters).");
        }

        Device device = options.Compute.Apply();
        var encoder = Build(config, shape.HasPooler, name ?? "ONNX model");
        try
        {
            LoadReport report;
            using (NewDisposeScope())
            {
                var state = weights.Tensors.ToDictionary(p => p.Key, p => tensor(p.Value.Values, p.Value.Shape));
                report = StateDictLoader.Load(encoder, state, name ?? "ONNX model", strict: true);
            }

            encoder.to(device);
            return new PretrainedEncoder(encoder, vocab, report);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Saves as a Hugging Face model directory (<c>config.json</c>, <c>model.safetensors</c>, the tokenizer files,
    /// <c>tokenizer_config.json</c>) that <see cref="Load"/> and Python <c>transformers</c> read back.
    /// The directory is replaced atomically: a failure leaves any previous content intact.
    /// </summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        AtomicDirectory.Replace(directory, staging =>
        {
            Encoder.Config.Save(Path.Combine(staging, ConfigFile));
            Vocabulary.Save(staging);
            CheckpointFiles.WriteSafetensors(Path.Combine(staging, ModelFiles.Safetensors), Encoder.state_dict());
        });
    }

    /// <summary>Disposes the encoder, unless a model has taken it over (the model disposes it then).</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (_owner is null)
            {
                _encoder.Dispose();
            }
        }
    }

    /// <summary>
    /// Hands the encoder over to the caller (for example to build a <see cref="Models.TaskModel"/> from it), who then
    /// owns and disposes it; afterwards <see cref="Encoder"/> refuses to hand it out again and disposing this
    /// object leaves it alone.
    /// </summary>
    /// <returns>The encoder.</returns>
    /// <exception cref="ObjectDisposedException">This instance was disposed.</exception>
    /// <exception cref="InvalidOperationException">A model or caller owns the encoder already.</exception>
    public BertEncoder TakeEncoder() => TransferTo("the caller of TakeEncoder");

    /// <summary>Hands the encoder to a model, once: afterwards <see cref="Encoder"/> refuses access and <see cref="Dispose"/> leaves it alone.</summary>
    /// <param name="owner">Who owns it now, for messages.</param>
    /// <exception cref="InvalidOperationException">Another model already owns it.</exception>
    internal BertEncoder TransferTo(string owner)
    {
        BertEncoder encoder = Encoder;
        _owner = owner;
        return encoder;
    }
}
