using System.Text.Json;
using System.Text.Json.Serialization;
using NerClassify.IO;

namespace NerClassify.Encoders.Bert;

/// <summary>
/// The shape of a BERT encoder, read from and written to a Hugging Face <c>config.json</c>
/// (the fields of <c>transformers.BertConfig</c> that the encoder uses).
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

    /// <summary>Id of the padding token. Default 0.</summary>
    [JsonPropertyName("pad_token_id")]
    public int PadTokenId { get; init; }

    /// <summary>Kind of position embedding; only <c>absolute</c> is implemented. Default <c>absolute</c>.</summary>
    [JsonPropertyName("position_embedding_type")]
    public string PositionEmbeddingType { get; init; } = "absolute";

    /// <summary>The Hugging Face model type. Default <c>bert</c>.</summary>
    [JsonPropertyName("model_type")]
    public string ModelType { get; init; } = "bert";

    /// <summary>Width of one attention head.</summary>
    [JsonIgnore]
    public int HeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>Checks that the encoder can be built from this configuration.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names the property.</exception>
    /// <exception cref="NotSupportedException">The configuration asks for something the encoder does not implement.</exception>
    public BertConfig Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(VocabSize, 1, nameof(VocabSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(HiddenSize, 1, nameof(HiddenSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(NumHiddenLayers, 1, nameof(NumHiddenLayers));
        ArgumentOutOfRangeException.ThrowIfLessThan(NumAttentionHeads, 1, nameof(NumAttentionHeads));
        ArgumentOutOfRangeException.ThrowIfLessThan(IntermediateSize, 1, nameof(IntermediateSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPositionEmbeddings, 1, nameof(MaxPositionEmbeddings));
        ArgumentOutOfRangeException.ThrowIfLessThan(TypeVocabSize, 1, nameof(TypeVocabSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LayerNormEps, nameof(LayerNormEps));
        ArgumentOutOfRangeException.ThrowIfNegative(HiddenDropoutProb, nameof(HiddenDropoutProb));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(HiddenDropoutProb, 1, nameof(HiddenDropoutProb));
        ArgumentOutOfRangeException.ThrowIfNegative(AttentionProbsDropoutProb, nameof(AttentionProbsDropoutProb));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(AttentionProbsDropoutProb, 1, nameof(AttentionProbsDropoutProb));
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

        if (PositionEmbeddingType != "absolute")
        {
            throw new NotSupportedException($"position_embedding_type '{PositionEmbeddingType}' is not implemented; this encoder implements 'absolute' position embeddings only.");
        }

        return this;
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
    public static BertConfig Load(Stream stream, string sourceName = "config.json")
    {
        ArgumentNullException.ThrowIfNull(stream);
        BertConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<BertConfig>(stream, JsonOptions);
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

    /// <summary>This configuration as a JSON object, with <c>architectures</c> set, ready to be extended by task models.</summary>
    internal System.Text.Json.Nodes.JsonObject ToJsonNode(string architecture)
    {
        var node = (System.Text.Json.Nodes.JsonObject)JsonSerializer.SerializeToNode(this, JsonOptions)!;
        node["architectures"] = new System.Text.Json.Nodes.JsonArray(architecture);
        return node;
    }
}
