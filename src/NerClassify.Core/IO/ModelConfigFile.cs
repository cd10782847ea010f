using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NerClassify.Configuration;
using NerClassify.Tokenization;

namespace NerClassify.IO;

/// <summary>
/// Reads and writes <c>config.json</c>: the encoder's Hugging Face configuration, <c>id2label</c>/<c>label2id</c>
/// for the primary head, and <see cref="ModelConfig"/> as the <c>nerclassify</c> section.
/// </summary>
internal static class ModelConfigFile
{
    /// <summary>The library's section of <c>config.json</c>.</summary>
    public const string Section = "nerclassify";

    /// <summary>The section's key for the SHA-256 of the <c>model.safetensors</c> saved with it (the weights fingerprint).</summary>
    public const string WeightsSha256 = "weights_sha256";

    /// <summary>The settings that (de)serialise the section: snake_case names and enum values.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>Reads <c>config.json</c> as a JSON object.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">It is not a JSON object; the message names the file.</exception>
    public static JsonObject ReadObject(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model directory '{Path.GetDirectoryName(path)}' has no {ModelFiles.Config}.", path);
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}' does not hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>
    /// The model configuration in <paramref name="root"/>: the <c>nerclassify</c> section, or for a plain Hugging Face
    /// token or sequence classification directory, what its architecture and <c>id2label</c> say.
    /// </summary>
    /// <param name="root">The parsed <c>config.json</c>.</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="lowerCase">The tokenizer's casing, used when the section does not say.</param>
    /// <exception cref="InvalidDataException">A key has the wrong type or the settings are inconsistent; the message names the file and the key.</exception>
    public static ModelConfig Read(JsonObject root, string path, bool lowerCase)
    {
        string? modelType = root["model_type"] is JsonValue type && type.TryGetValue(out string? t) ? t : null;
        int padTokenId = root["pad_token_id"] is JsonValue pad && pad.TryGetValue(out int padId) ? padId : Tokenization.EncoderFamily.IsRoberta(modelType) ? 1 : 0;
        int maxPositions = root["max_position_embeddings"] is JsonValue positions && positions.TryGetValue(out int p)
            ? Tokenization.EncoderFamily.MaxTokens(modelType, p, padTokenId)
            : 512;
        (int maxLength, int stride) = ModelConfig.DefaultWindow(maxPositions);
        var defaults = new ModelConfig { MaxLength = maxLength, Stride = stride, LowerCase = lowerCase };
        ModelConfig config;
        if (root[Section] is JsonObject section)
        {
            JsonObject merged = (JsonObject)JsonSerializer.SerializeToNode(defaults, SerializerOptions)!;
            foreach ((string key, JsonNode? value) in section)
            {
                merged[key] = value?.DeepClone();
            }

            try
            {
                config = merged.Deserialize<ModelConfig>(SerializerOptions)!;
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"'{path}': the key '{Section}{e.Path?.TrimStart('$')}' has a value of the wrong type: {e.Message}", e);
            }

            string[]? primary = ReadId2Label(root, path, required: false);
            CheckLabelMaps(root, path, config, primary);
            config = config with
            {
                TokenLabels = config.Task.HasTokenHead() ? config.TokenLabels ?? primary : null,
                SequenceLabels = config.Task.HasSequenceHead() ? config.SequenceLabels ?? primary : null,
            };
        }
        else
        {
            string architecture = root["architectures"] is JsonArray { Count: > 0 } names && names[0] is JsonValue name && name.TryGetValue(out string? n) ? n : string.Empty;
            // A plain Hugging Face directory has one head, so one id2label map: a single-task architecture only.
            TaskKind task = TaskKinds.FromArchitecture(Tokenization.EncoderFamily.BertArchitectureName(architecture)) is { } known && known.HasTokenHead() != known.HasSequenceHead() ? known
                : throw new InvalidDataException($"'{path}': architecture '{architecture}' is not a token or sequence classification model, and there is no '{Section}' section.");
            string[] labels = ReadId2Label(root, path, required: true)!;
            config = defaults with
            {
                Task = task,
                TokenLabels = task.HasTokenHead() ? labels : null,
                SequenceLabels = task.HasSequenceHead() ? labels : null,
                EncoderHasPooler = task.HasSequenceHead(),
            };
        }

        try
        {
            return config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}': the '{Section}' settings are invalid: {e.Message}", e);
        }
    }

    /// <summary>Writes <c>config.json</c>: the encoder configuration, the primary label maps and the section.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="encoderConfig">The encoder's Hugging Face configuration (not modified).</param>
    /// <param name="config">The model configuration.</param>
    /// <param name="weightsSha256">The SHA-256 of the weights file saved with it, stored as <c>nerclassify.weights_sha256</c>; null for none.</param>
    public static void Write(string path, JsonObject encoderConfig, ModelConfig config, string? weightsSha256 = null)
    {
        var root = (JsonObject)encoderConfig.DeepClone();
        string? modelType = root["model_type"] is JsonValue type && type.TryGetValue(out string? t) ? t : null;
        root["architectures"] = new JsonArray(Tokenization.EncoderFamily.ArchitectureName(config.Task.ArchitectureName(), modelType));
        IReadOnlyList<string> primary = config.TokenLabels ?? config.SequenceLabels!;
        root["id2label"] = new JsonObject(primary.Select((label, id) => KeyValuePair.Create(id.ToString(CultureInfo.InvariantCulture), (JsonNode?)label)));
        root["label2id"] = new JsonObject(primary.Select((label, id) => KeyValuePair.Create(label, (JsonNode?)id)));
        var section = (JsonObject)JsonSerializer.SerializeToNode(config, SerializerOptions)!;
        if (weightsSha256 is not null)
        {
            section[WeightsSha256] = weightsSha256;
        }

        root[Section] = section;
        File.WriteAllText(path, root.ToJsonString(SerializerOptions));
    }

    /// <summary>The weights fingerprint a save recorded (<c>nerclassify.weights_sha256</c>), or null when there is none.</summary>
    public static string? ReadWeightsSha256(JsonObject root) =>
        root[Section] is JsonObject section && section[WeightsSha256] is JsonValue value && value.TryGetValue(out string? sha256) ? sha256 : null;

    /// <summary>The window settings a configuration asks for.</summary>
    public static EncodingOptions Encoding(this ModelConfig config) => new() { MaxLength = config.MaxLength, Stride = config.Stride };

    /// <summary>
    /// Refuses <c>id2label</c> or <c>label2id</c> that disagree with the section's labels of the primary head (the token
    /// head, or the sentence head of a sentence-only model): the weights were trained with the section's, so an edit
    /// to one map alone would otherwise be ignored without a word.
    /// </summary>
    private static void CheckLabelMaps(JsonObject root, string path, ModelConfig config, string[]? id2label)
    {
        bool sequenceOnly = !config.Task.HasTokenHead();
        IReadOnlyList<string>? section = sequenceOnly ? config.SequenceLabels : config.TokenLabels;
        string sectionKey = $"{Section}.{(sequenceOnly ? "sequence_labels" : "token_labels")}";
        if (section is not null && id2label is not null && !section.SequenceEqual(id2label, StringComparer.Ordinal))
        {
            throw new InvalidDataException(
                $"'{path}': id2label [{string.Join(", ", id2label)}] disagrees with {sectionKey} [{string.Join(", ", section)}]. "
                + $"The weights follow {sectionKey}; change both keys together (and label2id), or remove id2label and label2id to have them written from {sectionKey} at the next save.");
        }

        IReadOnlyList<string>? labels = section ?? id2label;
        if (labels is null || root["label2id"] is not JsonObject label2id)
        {
            return;
        }

        string against = section is not null ? sectionKey : "id2label";
        bool agrees = label2id.Count == labels.Count && labels.Select((label, id) => (label, id)).All(p =>
            label2id[p.label] is JsonValue value && value.TryGetValue(out int mapped) && mapped == p.id);
        if (!agrees)
        {
            throw new InvalidDataException(
                $"'{path}': label2id {label2id.ToJsonString()} disagrees with {against} [{string.Join(", ", labels)}]: each label must map to its position there. "
                + $"Change both keys together, or remove label2id to have it written from {against} at the next save.");
        }
    }

    private static string[]? ReadId2Label(JsonObject root, string path, bool required)
    {
        if (root["id2label"] is not JsonObject map || map.Count == 0)
        {
            return required ? throw new InvalidDataException($"'{path}' has no id2label map.") : null;
        }

        var labels = new string[map.Count];
        foreach ((string key, JsonNode? value) in map)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id >= labels.Length
                || value is not JsonValue text || !text.TryGetValue(out string? label))
            {
                throw new InvalidDataException($"'{path}': id2label key '{key}' is not an id in [0, {labels.Length}) with a string label.");
            }

            labels[id] = label;
        }

        return labels;
    }
}
