using System.Text.Json.Serialization;

namespace NerClassify.Configuration;

/// <summary>
/// What a trained model needs besides its weights and vocabulary: its task, label sets, tokenizer settings,
/// head options and where it came from. Stored as the <c>nerclassify</c> section of <c>config.json</c> and in
/// the metadata of an ONNX export.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Which heads the model has.</summary>
    [JsonPropertyName("task")]
    public TaskKind Task { get; init; }

    /// <summary>Token (entity tag) labels in id order, for example <c>O</c>, <c>B-PER</c>; null for a sentence-only model.</summary>
    [JsonPropertyName("token_labels")]
    public IReadOnlyList<string>? TokenLabels { get; init; }

    /// <summary>Sentence class names in id order; null for a token-only model.</summary>
    [JsonPropertyName("sequence_labels")]
    public IReadOnlyList<string>? SequenceLabels { get; init; }

    /// <summary>Whether text is lower-cased and accent-stripped before WordPiece (uncased encoders). Default false.</summary>
    [JsonPropertyName("do_lower_case")]
    public bool LowerCase { get; init; }

    /// <summary>Subwords per window, special tokens included. Default 512 (or the encoder's limit, if smaller).</summary>
    [JsonPropertyName("max_length")]
    public int MaxLength { get; init; } = 512;

    /// <summary>Subwords shared by consecutive windows of a long input. Default 128.</summary>
    [JsonPropertyName("stride")]
    public int Stride { get; init; } = 128;

    /// <summary>
    /// Subwords per window while the model was trained (<c>TrainerOptions.MaxLength</c>), or null when unknown: a model
    /// never trained here, or saved before the library recorded it. <see cref="MaxLength"/> is the window for prediction.
    /// </summary>
    [JsonPropertyName("training_max_length")]
    public int? TrainingMaxLength { get; init; }

    /// <summary>Subwords shared by consecutive training windows (<c>TrainerOptions.Stride</c>), or null when unknown, as <see cref="TrainingMaxLength"/>.</summary>
    [JsonPropertyName("training_stride")]
    public int? TrainingStride { get; init; }

    /// <summary>Whether the encoder has the pooler ([CLS] dense + tanh) that the sentence head reads. Default true.</summary>
    [JsonPropertyName("encoder_has_pooler")]
    public bool EncoderHasPooler { get; init; } = true;

    /// <summary>The token head's settings. Default: a linear layer over the encoder output.</summary>
    [JsonPropertyName("token_head")]
    public TokenHeadOptions TokenHead { get; init; } = new();

    /// <summary>How the sentence head pools the encoder's states. Default <see cref="SentencePooling.Cls"/>.</summary>
    [JsonPropertyName("sentence_pooling")]
    public SentencePooling SentencePooling { get; init; } = SentencePooling.Cls;

    /// <summary>
    /// The type name of a token head of your own (its <c>HeadType</c>, under which a <c>HeadRegistry</c> builds it
    /// again), or null for the library's head. Default null.
    /// </summary>
    [JsonPropertyName("token_head_type")]
    public string? TokenHeadType { get; init; }

    /// <summary>The type name of a sentence head of your own, or null for the library's head. Default null.</summary>
    [JsonPropertyName("sequence_head_type")]
    public string? SequenceHeadType { get; init; }

    /// <summary>The multitask loss weighting. Default alpha = 1 (sentences), beta = 7 (tokens).</summary>
    [JsonPropertyName("loss")]
    public MultitaskLossOptions Loss { get; init; } = new();

    /// <summary>The library version that wrote the model, or null.</summary>
    [JsonPropertyName("library_version")]
    public string? LibraryVersion { get; init; }

    /// <summary>A description of the training data (files and sentence counts), or null before training.</summary>
    [JsonPropertyName("trained_on")]
    public string? TrainedOn { get; init; }

    /// <summary>
    /// Reads the configuration of a saved model directory (or of a directory an ONNX export wrote) from its
    /// <c>config.json</c> and tokenizer files, without reading the weights: cheap enough to describe a model.
    /// </summary>
    /// <param name="directory">The model directory.</param>
    /// <returns>The configuration, as loading the model would give it.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException"><c>config.json</c> or <c>vocab.txt</c> is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException"><c>config.json</c> is invalid; the message names the file and the key.</exception>
    public static ModelConfig Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Model directory '{directory}' does not exist.");
        }

        string configPath = Path.Combine(directory, IO.ModelFiles.Config);
        System.Text.Json.Nodes.JsonObject root = IO.ModelConfigFile.ReadObject(configPath);
        return IO.ModelConfigFile.Read(root, configPath, Tokenization.BertVocabulary.Load(directory).LowerCase);
    }

    /// <summary>Checks the values.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">The labels do not fit the task, or a setting is out of range; the message names the property.</exception>
    public ModelConfig Validate()
    {
        if (!Enum.IsDefined(Task))
        {
            throw new ArgumentOutOfRangeException(nameof(Task), Task, "Unknown task.");
        }

        CheckLabels(TokenLabels, Task.HasTokenHead(), nameof(TokenLabels));
        CheckLabels(SequenceLabels, Task.HasSequenceHead(), nameof(SequenceLabels));
        Tokenization.EncodingOptions.CheckWindow(MaxLength, Stride);

        if (!Enum.IsDefined(SentencePooling))
        {
            throw new ArgumentOutOfRangeException(nameof(SentencePooling), SentencePooling, "Unknown sentence pooling.");
        }

        ArgumentNullException.ThrowIfNull(TokenHead, nameof(TokenHead));
        ArgumentNullException.ThrowIfNull(Loss, nameof(Loss));
        TokenHead.Validate();
        Loss.Validate();
        return this;
    }

    /// <summary>
    /// The prediction window when none is asked for: 512 subwords or the encoder's limit if smaller, and a quarter of
    /// it (at most 128) shared by consecutive windows. The one place these defaults are computed.
    /// </summary>
    /// <param name="maxPositions">The encoder's <c>max_position_embeddings</c>.</param>
    /// <param name="maxLength">A window asked for, or null for the default.</param>
    /// <param name="stride">A stride asked for, or null for the default.</param>
    internal static (int MaxLength, int Stride) DefaultWindow(int maxPositions, int? maxLength = null, int? stride = null)
    {
        int length = maxLength ?? Math.Min(512, maxPositions);
        return (length, stride ?? Math.Min(128, length / 4));
    }

    private static void CheckLabels(IReadOnlyList<string>? labels, bool required, string name)
    {
        if (!required)
        {
            if (labels is not null)
            {
                throw new ArgumentException($"{name} must be null for this task.", name);
            }

            return;
        }

        if (labels is null || labels.Count < 2)
        {
            throw new ArgumentException($"{name} needs at least two labels for this task.", name);
        }

        string? duplicate = labels.GroupBy(l => l, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null || labels.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"{name} must be distinct, non-empty names{(duplicate is null ? string.Empty : $"; '{duplicate}' appears twice")}.", name);
        }
    }
}
