using System.Text.Json;
using System.Text.Json.Serialization;
using NerClassify.IO;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// The shape of a BERT-family encoder, read from and written to a Hugging Face <c>config.json</c>
/// (the fields of <c>transformers.BertConfig</c> that the encoder uses). <see cref="ModelType"/> <c>bert</c>,
/// <c>roberta</c> and <c>xlm-roberta</c> are built; RoBERTa's configuration has the same fields (its
/// <c>type_vocab_size</c> is 1 and its positions start after <see cref="PadTokenId"/>).
/// </summary>
public sealed record BertConfig
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Number of tokens in the vocabulary. Default 30522 (BERT base uncased).</summary>
    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; } = 30522;

    /// <summary>Width of every hidden state. Default 768.</summary>
    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; } = 768;

    /// <summary>Number of transformer layers. Default 12.</summary>
    [JsonPropertyName("num_hidden_layers")]
    public int NumHiddenLayers { get; init; } = 12;

    /// <summary>Number of attention heads per layer; must divide <see cref="HiddenSize"/>. Default 12.</summary>
    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; } = 12;

    /// <summary>Width of the feed-forward layer. Default 3072.</summary>
    [JsonPropertyName("intermediate_size")]
    public int IntermediateSize { get; init; } = 3072;

    /// <summary>Activation of the feed-forward layer; only <c>gelu</c> (exact, erf-based) is implemented. Default <c>gelu</c>.</summary>
    [JsonPropertyName("hidden_act")]
    public string HiddenAct { get; init; } = "gelu";

    /// <summary>Dropout after embeddings and after each sub-layer during training. Default 0.1.</summary>
    [JsonPropertyName("hidden_dropout_prob")]
    public double HiddenDropoutProb { get; init; } = 0.1;

    /// <summary>Dropout on attention probabilities during training. Default 0.1.</summary>
    [JsonPropertyName("attention_probs_dropout_prob")]
    public double AttentionProbsDropoutProb { get; init; } = 0.1;

    /// <summary>Longest sequence, in subword tokens, the position embeddings cover. Default 512.</summary>
    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositionEmbeddings { get; init; } = 512;

    /// <summary>Number of token types (segments). Default 2.</summary>
    [JsonPropertyName("type_vocab_size")]
    public int TypeVocabSize { get; init; } = 2;

    /// <summary>Standard deviation of the normal distribution used to initialise new weights. Default 0.02.</summary>
    [JsonPropertyName("initializer_range")]
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>Epsilon of every LayerNorm. Default 1e-12.</summary>
    [JsonPropertyName("layer_norm_eps")]
    public double LayerNormEps { get; init; } = 1e-12;

    /// <summary>Id of the padding token. Default 0 (1 when a RoBERTa <c>config.json</c> does not say, as in Hugging Face).</summary>
    [JsonPropertyName("pad_token_id")]
    public int PadTokenId { get; init; }

    /// <summary>Kind of position embedding; only <c>absolute</c> is implemented. Default <c>absolute</c>.</summary>
    [JsonPropertyName("position_embedding_type")]
    public string PositionEmbeddingType { get; init; } = "absolute";

    /// <summary>
    /// The Hugging Face model type: <c>bert</c>, <c>roberta</c> or <c>xlm-roberta</c> (the last two take position ids
    /// from <see cref="PadTokenId"/> + 1, as Hugging Face's <c>create_position_ids_from_input_ids</c> does, and name their
    /// parameters <c>roberta.*</c> in task checkpoints). Other BERT-shaped types are built as BERT. Default <c>bert</c>.
    /// </summary>
    [JsonPropertyName("model_type")]
    public string ModelType { get; init; } = "bert";

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore]
    public int HeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>The first position id a token takes: 0, or <see cref="PadTokenId"/> + 1 for RoBERTa.</summary>
    internal int PositionOffset => Tokenization.EncoderFamily.PositionOffset(ModelType, PadTokenId);

    /// <summary>The most tokens one sequence may hold: <see cref="MaxPositionEmbeddings"/> less <see cref="PositionOffset"/>.</summary>
    internal int MaxTokens => MaxPositionEmbeddings - PositionOffset;

    /// <summary>Checks that the encoder can be built from this configuration.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names the property.</exception>
    /// <exception cref="NotSupportedException">The configuration asks for something the encoder does not implement.</exception>
    public BertConfig Validate()
    {
        // Upper bounds far above any BERT, so that a hostile config.json is refused before anything is sized from it.
        RequireRange(VocabSize, "vocab_size", nameof(VocabSize), 1, 1 << 24);
        RequireRange(HiddenSize, "hidden_size", nameof(HiddenSize), 1, 1 << 16);
        RequireRange(NumHiddenLayers, "num_hidden_layers", nameof(NumHiddenLayers), 1, 1024);
        RequireRange(NumAttentionHeads, "num_attention_heads", nameof(NumAttentionHeads), 1, 1 << 16);
        RequireRange(IntermediateSize, "intermediate_size", nameof(IntermediateSize), 1, 1 << 20);
        RequireRange(MaxPositionEmbeddings, "max_position_embeddings", nameof(MaxPositionEmbeddings), 1, 1 << 20);
        RequireRange(TypeVocabSize, "type_vocab_size", nameof(TypeVocabSize), 1, 1 << 16);
        if (!(LayerNormEps > 0 && LayerNormEps < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(LayerNormEps), LayerNormEps, $"layer_norm_eps ({LayerNormEps}) must lie in (0, 1).");
        }

        if (!(HiddenDropoutProb >= 0 && HiddenDropoutProb < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(HiddenDropoutProb), HiddenDropoutProb, $"hidden_dropout_prob ({HiddenDropoutProb}) must lie in [0, 1).");
        }

        if (!(AttentionProbsDropoutProb >= 0 && AttentionProbsDropoutProb < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(AttentionProbsDropoutProb), AttentionProbsDropoutProb, $"attention_probs_dropout_prob ({AttentionProbsDropoutProb}) must lie in [0, 1).");
        }

        if (HiddenSize % NumAttentionHeads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(NumAttentionHeads), NumAttentionHeads, $"hidden_size ({HiddenSize}) must be a multiple of num_attention_heads ({NumAttentionHeads}).");
        }

        if (PadTokenId < 0 || PadTokenId >= VocabSize)
        {
            throw new ArgumentOutOfRangeException(nameof(PadTokenId), PadTokenId, $"pad_token_id must lie in [0, {VocabSize}).");
        }

        if (HiddenAct is not ("gelu" or "gelu_python"))
        {
            throw new NotSupportedException($"hidden_act '{HiddenAct}' is not implemented; this encoder implements the exact (erf) 'gelu' of BERT.");
        }

        if (MaxTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPositionEmbeddings), MaxPositionEmbeddings, $"max_position_embeddings ({MaxPositionEmbeddings}) leaves no position after the {PositionOffset} that {ModelType} reserves before its first token (pad_token_id + 1).");
        }

        if (PositionEmbeddingType != "absolute")
        {
            throw new NotSupportedException($"position_embedding_type '{PositionEmbeddingType}' is not implemented; this encoder implements 'absolute' position embeddings only.");
        }

        return this;
    }

    /// <summary>
    /// The number of parameters of the encoder this configuration describes, without the pooler: embeddings,
    /// their LayerNorm, and per layer the query/key/value/output projections, the feed-forward pair and two LayerNorms.
    /// </summary>
    internal Int128 CountParameters()
    {
        Int128 hidden = HiddenSize;
        Int128 embeddings = (((Int128)VocabSize + MaxPositionEmbeddings + TypeVocabSize) * hidden) + (2 * hidden);
        return embeddings + (NumHiddenLayers * CountLayerParameters());
    }

    /// <summary>The parameters of one encoder layer.</summary>
    internal Int128 CountLayerParameters()
    {
        Int128 hidden = HiddenSize;
        Int128 intermediate = IntermediateSize;
        Int128 attention = 4 * ((hidden * hidden) + hidden);
        Int128 feedForward = (2 * hidden * intermediate) + intermediate + hidden;
        return attention + feedForward + (4 * hidden);
    }

    private static void RequireRange(int value, string jsonKey, string property, int min, int max)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(property, value, $"{jsonKey} ({value}) must lie in [{min}, {max}].");
        }
    }

    /// <summary>Reads a Hugging Face <c>config.json</c> and validates it.</summary>
    /// <param name="path">Path of the file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid JSON for a BERT configuration; the message names the file.</exception>
    public static BertConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"BERT configuration '{path}' does not exist.", path);
        }

        using FileStream stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads a Hugging Face <c>config.json</c> from a stream (left open) and validates it.</summary>
    /// <param name="stream">The JSON content.</param>
    /// <param name="sourceName">A name for the source, used in error messages.</param>
    public static BertConfig Load(Stream stream, string sourceName = IO.ModelFiles.Config)
    {
        ArgumentNullException.ThrowIfNull(stream);
        BertConfig? config;
        try
        {
            System.Text.Json.Nodes.JsonNode? node = System.Text.Json.Nodes.JsonNode.Parse(stream);
            config = node.Deserialize<BertConfig>(JsonOptions);
            if (config is not null && Tokenization.EncoderFamily.IsRoberta(config.ModelType) && node?["pad_token_id"] is null)
            {
                // RobertaConfig's default, which a config.json may leave out.
                config = config with { PadTokenId = 1 };
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{sourceName}' is not a valid BERT config.json: {e.Message}", e);
        }

        if (config is null)
        {
            throw new InvalidDataException($"'{sourceName}' is empty.");
        }

        try
        {
            return config.Validate();
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or NotSupportedException)
        {
            throw new InvalidDataException($"'{sourceName}': {e.Message}", e);
        }
    }

    /// <summary>Writes this configuration as a Hugging Face <c>config.json</c>, atomically.</summary>
    /// <param name="path">Destination file.</param>
    /// <param name="architecture">The <c>architectures</c> entry, such as <c>BertModel</c>.</param>
    public void Save(string path, string architecture = "BertModel")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllText(path, ToJsonNode(architecture).ToJsonString(JsonOptions));
    }

    /// <summary>
    /// This configuration as a JSON object, with <c>architectures</c> set, ready to be extended by task models. A BERT
    /// class name is renamed for the model type (<c>BertModel</c> is written as <c>RobertaModel</c> for RoBERTa).
    /// </summary>
    internal System.Text.Json.Nodes.JsonObject ToJsonNode(string architecture)
    {
        var node = (System.Text.Json.Nodes.JsonObject)JsonSerializer.SerializeToNode(this, JsonOptions)!;
        node["architectures"] = new System.Text.Json.Nodes.JsonArray(Tokenization.EncoderFamily.ArchitectureName(architecture, ModelType));
        return node;
    }
}
