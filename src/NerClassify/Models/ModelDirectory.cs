using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using NerClassify.Checkpoints;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Heads;
using NerClassify.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Models;

/// <summary>
/// Saves and loads fine-tuned task models as a directory: <c>config.json</c>, <c>model.safetensors</c>,
/// <c>vocab.txt</c> and <c>tokenizer_config.json</c>. Single-task models follow Hugging Face's
/// <c>BertForTokenClassification</c> / <c>BertForSequenceClassification</c> layout (keys and <c>id2label</c>),
/// so Python <c>transformers</c> loads them too; the multitask layout is described in docs/model-format.md.
/// </summary>
public static class ModelDirectory
{
    private const string ConfigFile = "config.json";
    private const string WeightsFile = "model.safetensors";
    private const string LibrarySection = "nerclassify";

    /// <summary>Writes <paramref name="model"/> and its vocabulary into <paramref name="directory"/>, replacing it atomically.</summary>
    /// <param name="model">A model with the default heads.</param>
    /// <param name="vocabulary">The encoder's vocabulary.</param>
    /// <param name="directory">The destination; a failure midway leaves any earlier content intact.</param>
    /// <param name="encoding">The tokenizer window settings to store for inference, or null for the defaults.</param>
    public static void Save(TaskModel model, BertVocabulary vocabulary, string directory, Tokenization.EncodingOptions? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        JsonObject config = Describe(model, vocabulary, encoding ?? Tokenization.EncodingOptions.Default);
        AtomicDirectory.Replace(directory, staging =>
        {
            File.WriteAllText(Path.Combine(staging, ConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            vocabulary.Save(staging);
            CheckpointFiles.WriteSafetensors(Path.Combine(staging, WeightsFile), model.state_dict());
        });
    }

    /// <summary>Loads a directory written by <see cref="Save"/> (or a Hugging Face token/sequence classification directory).</summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="compute">Device and threads.</param>
    /// <returns>The model (in evaluation mode), its vocabulary and stored settings.</returns>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or inconsistent (for example a label count that does not match the weights); the message names the file.</exception>
    public static LoadedModel Load(string directory, ComputeOptions? compute = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Model directory '{directory}' does not exist.");
        }

        string configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath))
        {
            throw new FileNotFoundException($"The model directory '{directory}' has no {ConfigFile}.", configPath);
        }

        JsonObject config = ReadJson(configPath);
        BertConfig bert = BertConfig.Load(configPath);
        BertVocabulary vocabulary = BertVocabulary.Load(directory);
        string weights = Path.Combine(directory, WeightsFile);
        if (!File.Exists(weights))
        {
            weights = CheckpointFiles.FindWeights(directory);
        }

        Device device = (compute ?? ComputeOptions.Default).Apply();
        TaskModel? model = null;

        // The model is built outside any scope (an Embedding built inside one loses its registered weight when
        // the scope ends); the checkpoint's tensors belong to no scope and are disposed here.
        Dictionary<string, Tensor> state = CheckpointFiles.ReadUnscoped(weights);
        try
        {
            model = Build(config, bert, state, configPath, weights);
            using (NewDisposeScope())
            {
                StateDictLoader.Load(model, state, weights);
            }

            model.to(device);
            model.eval();
            return new LoadedModel(model, vocabulary, ReadEncoding(config, bert));
        }
        catch
        {
            model?.Dispose();
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

    /// <summary>Reads only the stored window settings of a model directory (for runtimes that do not load the weights).</summary>
    /// <exception cref="FileNotFoundException"><c>config.json</c> is missing; the message names it.</exception>
    internal static Tokenization.EncodingOptions LoadEncoding(string directory)
    {
        string configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath))
        {
            throw new FileNotFoundException($"The model directory '{directory}' has no {ConfigFile}.", configPath);
        }

        return ReadEncoding(ReadJson(configPath), BertConfig.Load(configPath));
    }

    private static Tokenization.EncodingOptions ReadEncoding(JsonObject config, BertConfig bert)
    {
        JsonNode? library = config[LibrarySection];
        int maxLength = library?["max_length"]?.GetValue<int>() ?? Math.Min(512, bert.MaxPositionEmbeddings);
        return new Tokenization.EncodingOptions
        {
            MaxLength = maxLength,
            Stride = library?["stride"]?.GetValue<int>() ?? Math.Min(128, maxLength / 4),
        };
    }

    private static JsonObject Describe(TaskModel model, BertVocabulary vocabulary, Tokenization.EncodingOptions encoding)
    {
        string architecture = model.Kind switch
        {
            TaskKind.Token => "BertForTokenClassification",
            TaskKind.Sequence => "BertForSequenceClassification",
            _ => "BertForMultitaskClassification",
        };
        JsonObject config = model.Encoder.Config.ToJsonNode(architecture);
        IReadOnlyList<string> primary = model.TokenLabels ?? model.SequenceLabels!;
        config["id2label"] = new JsonObject(primary.Select((label, id) => KeyValuePair.Create(id.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)label)));
        config["label2id"] = new JsonObject(primary.Select((label, id) => KeyValuePair.Create(label, (JsonNode?)id)));
        var library = new JsonObject
        {
            ["library_version"] = typeof(ModelDirectory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            ["task"] = model.Kind.ToString().ToLowerInvariant(),
            ["do_lower_case"] = vocabulary.LowerCase,
            ["max_length"] = encoding.MaxLength,
            ["stride"] = encoding.Stride,
            ["encoder_has_pooler"] = model.Encoder.HasPooler,
        };
        if (model.TokenLabels is { } tokenLabels)
        {
            library["token_labels"] = new JsonArray(tokenLabels.Select(l => (JsonNode?)l).ToArray());
        }

        if (model.SequenceLabels is { } sequenceLabels)
        {
            library["sequence_labels"] = new JsonArray(sequenceLabels.Select(l => (JsonNode?)l).ToArray());
        }

        TokenHead? tokenHead = (model as TokenClassificationModel)?.Head ?? (model as MultitaskModel)?.TokenHead;
        if (tokenHead is not null)
        {
            TokenHeadOptions options = tokenHead is TokenClassificationHead standard ? standard.Options
                : throw new NotSupportedException($"Only the default heads can be saved; {tokenHead.GetType().Name} is a custom head. Save its state_dict yourself.");
            library["token_head"] = new JsonObject
            {
                ["hidden_layer_size"] = options.HiddenLayerSize,
                ["casing_embedding_size"] = options.CasingEmbeddingSize,
                ["casing_input"] = options.CasingInput,
                ["dropout"] = options.Dropout,
            };
        }

        SequenceHead? sequenceHead = (model as SequenceClassificationModel)?.Head ?? (model as MultitaskModel)?.SequenceHead;
        if (sequenceHead is not null and not SequenceClassificationHead)
        {
            throw new NotSupportedException($"Only the default heads can be saved; {sequenceHead.GetType().Name} is a custom head. Save its state_dict yourself.");
        }

        if (model is MultitaskModel multitask)
        {
            library["loss"] = new JsonObject
            {
                ["weighting"] = multitask.Loss.Weighting.ToString(),
                ["sequence_weight"] = multitask.Loss.SequenceWeight,
                ["token_weight"] = multitask.Loss.TokenWeight,
            };
        }

        config[LibrarySection] = library;
        return config;
    }

    private static TaskModel Build(JsonObject config, BertConfig bert, Dictionary<string, Tensor> state, string configPath, string weightsPath)
    {
        JsonNode? library = config[LibrarySection];
        string architecture = config["architectures"]?[0]?.GetValue<string>() ?? string.Empty;
        string task = library?["task"]?.GetValue<string>() ?? architecture switch
        {
            "BertForTokenClassification" => "token",
            "BertForSequenceClassification" => "sequence",
            _ => throw new InvalidDataException($"'{configPath}': architecture '{architecture}' is not a token, sequence or multitask classification model."),
        };
        string[] id2label = ReadId2Label(config, configPath);
        string[] tokenLabels = ReadStrings(library?["token_labels"]) ?? id2label;
        string[] sequenceLabels = ReadStrings(library?["sequence_labels"]) ?? id2label;
        bool hasPooler = library?["encoder_has_pooler"]?.GetValue<bool>() ?? state.Keys.Any(k => k.StartsWith("bert.pooler.", StringComparison.Ordinal));
        var headOptions = new TokenHeadOptions
        {
            HiddenLayerSize = library?["token_head"]?["hidden_layer_size"]?.GetValue<int>() ?? 0,
            CasingEmbeddingSize = library?["token_head"]?["casing_embedding_size"]?.GetValue<int>() ?? 0,
            CasingInput = library?["token_head"]?["casing_input"]?.GetValue<bool>() ?? false,
            Dropout = library?["token_head"]?["dropout"]?.GetValue<double?>(),
        };

        (string prefix, int count)[] heads = task switch
        {
            "token" => [("classifier", tokenLabels.Length)],
            "sequence" => [("classifier", sequenceLabels.Length)],
            _ => [("token_classifier", tokenLabels.Length), ("sequence_classifier", sequenceLabels.Length)],
        };
        foreach ((string prefix, int count) in heads)
        {
            if (state.TryGetValue(prefix + ".weight", out Tensor? weight) && weight.shape[0] != count)
            {
                throw new InvalidDataException($"'{configPath}' lists {count} labels for {prefix} but '{weightsPath}' has {weight.shape[0]} rows in {prefix}.weight.");
            }
        }

        var encoder = new BertEncoder(bert, hasPooler);
        return task switch
        {
            "token" => new TokenClassificationModel(encoder, tokenLabels, headOptions: headOptions),
            "sequence" => new SequenceClassificationModel(encoder, sequenceLabels),
            "multitask" => new MultitaskModel(encoder, tokenLabels, sequenceLabels, ReadLoss(library?["loss"]), tokenHeadOptions: headOptions),
            _ => throw new InvalidDataException($"'{configPath}': unknown task '{task}'."),
        };
    }

    private static MultitaskLossOptions ReadLoss(JsonNode? loss) => new()
    {
        Weighting = Enum.TryParse(loss?["weighting"]?.GetValue<string>(), out LossWeighting weighting) ? weighting : LossWeighting.Fixed,
        SequenceWeight = loss?["sequence_weight"]?.GetValue<double>() ?? 1,
        TokenWeight = loss?["token_weight"]?.GetValue<double>() ?? 7,
    };

    private static string[] ReadId2Label(JsonObject config, string configPath)
    {
        if (config["id2label"] is not JsonObject map || map.Count == 0)
        {
            throw new InvalidDataException($"'{configPath}' has no id2label map.");
        }

        var labels = new string[map.Count];
        foreach ((string key, JsonNode? value) in map)
        {
            if (!int.TryParse(key, out int id) || id < 0 || id >= labels.Length || value is null)
            {
                throw new InvalidDataException($"'{configPath}': id2label key '{key}' is not an id in [0, {labels.Length}).");
            }

            labels[id] = value.GetValue<string>();
        }

        return labels;
    }

    private static string[]? ReadStrings(JsonNode? node) => node is JsonArray array ? array.Select(n => n!.GetValue<string>()).ToArray() : null;

    private static JsonObject ReadJson(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}' does not hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
    }
}
