using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NerClassify.Configuration;
using NerClassify.Tokenization;
using NerClassify.Training;

namespace NerClassify.Cli;

/// <summary>
/// Every <see cref="TrainerOptions"/> property as a kebab-case flag (<c>LearningRate</c> is <c>--learning-rate</c>), the
/// windows (<c>--max-length</c>, <c>--stride</c>) and compute settings (<c>--device</c>,
/// <c>--threads</c>), and the same options read from a JSON file; flags given on the command line override the file.
/// </summary>
internal sealed class TrainerFlags
{
    private static readonly TrainerOptions Defaults = new();
    private static readonly Dictionary<string, string> FlagsByProperty = new(StringComparer.Ordinal);

    // One line of help per option; the full text is on TrainerOptions, EncodingOptions and ComputeOptions.
    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["LearningRate"] = "Peak learning rate (AdamW).",
        ["WeightDecay"] = "AdamW weight decay on weights (not biases or LayerNorm).",
        ["Epochs"] = "Passes over the training data.",
        ["BatchSize"] = "Sentences per batch.",
        ["GradientAccumulationSteps"] = "Batches summed before each optimiser step.",
        ["Schedule"] = "Learning-rate schedule after warm-up.",
        ["WarmupRatio"] = "Share of the steps spent warming up, in [0, 1).",
        ["MaxGradientNorm"] = "Gradient clipping norm.",
        ["FreezeWordEmbeddings"] = "Keep the word-embedding matrix fixed (much faster steps for small encoders).",
        ["HeadLearningRateMultiplier"] = "Learning rate of the heads and casing embedding, as a multiple of --learning-rate.",
        ["LayerLearningRateDecay"] = "Layer-wise learning-rate decay in (0, 1]; 1 trains every layer at one rate.",
        ["AverageLastEpochs"] = "Average the weights of the last N epochs (1: keep the last epoch).",
        ["Seed"] = "Seeds the weights, shuffling, dropout and batch order.",
        ["LengthBucketing"] = "Group sentences of similar length into batches.",
        ["EvaluateEveryEpoch"] = "Score the validation file after every epoch.",
        ["SelectionMetric"] = "The validation score that picks the best epoch.",
        ["KeepBest"] = "At the end, restore the best epoch's weights.",
        ["EarlyStoppingPatience"] = "Stop after this many epochs without improvement.",
        ["ConstrainedDecoding"] = "BIO-constrained decoding when scoring.",
        ["CheckpointDirectory"] = "Where the per-epoch checkpoint goes. Default: OUTPUT/checkpoints.",
        ["ResumeFrom"] = "A checkpoint directory to continue from (--resume picks OUTPUT/checkpoints/latest).",
        ["EvaluationBatchSize"] = "Sentences per batch when scoring.",
        ["MaxLength"] = "Subwords per training window, special tokens included.",
        ["Stride"] = "Subwords shared by consecutive windows of a long sentence.",
        ["Device"] = "Where to train.",
        ["Threads"] = "CPU threads. Default: LibTorch's (the physical cores).",
    };

    private readonly List<Flag> _flags = [];

    static TrainerFlags()
    {
        foreach (PropertyInfo property in TopLevel().Concat(Nested(typeof(ComputeOptions))))
        {
            FlagsByProperty[property.Name] = Kebab(property.Name);
        }
    }

    public TrainerFlags(Command command)
    {
        foreach (PropertyInfo property in TopLevel())
        {
            Add(command, property, Defaults, (o, v) => property.SetValue(o, v));
        }

        foreach (PropertyInfo property in Nested(typeof(ComputeOptions)))
        {
            Add(command, property, Defaults.Compute, (o, v) =>
            {
                object copy = Clone(o.Compute);
                property.SetValue(copy, v);
                typeof(TrainerOptions).GetProperty(nameof(TrainerOptions.Compute))!.SetValue(o, copy);
            });
        }
    }

    /// <summary>The flag of an option property (for error messages), or null.</summary>
    public static string? FlagFor(string propertyName) => FlagsByProperty.GetValueOrDefault(propertyName);

    /// <summary>The preset's options, then the file's values, then every flag given on the command line.</summary>
    public TrainerOptions Resolve(ParseResult parsed, string? configPath, TrainerOptions? preset = null)
    {
        TrainerOptions options = configPath is null ? preset ?? new TrainerOptions() : ReadConfig(configPath, preset);
        options = options with { };
        foreach (Flag flag in _flags)
        {
            if (parsed.GetResult(flag.Option) is { Implicit: false })
            {
                flag.Apply(options, flag.Read(parsed));
            }
        }

        return options;
    }

    /// <summary>Reads a JSON object of <see cref="TrainerOptions"/>; keys in any case, kebab-case or snake_case. Keys it lacks keep <paramref name="preset"/>'s values.</summary>
    public static TrainerOptions ReadConfig(string path, TrainerOptions? preset = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The --config file '{path}' was not found.", path);
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON ({e.Message}).", e);
        }

        if (node is not JsonObject root)
        {
            throw new FormatException($"{path}:1: the --config file must hold a JSON object of trainer options, for example {{ \"epochs\": 3, \"learning-rate\": 5e-5 }}.");
        }

        var serializer = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            Converters = { new JsonStringEnumConverter() },
        };
        try
        {
            JsonObject values = Normalise(root);
            if (preset is not null && JsonSerializer.SerializeToNode(preset, serializer) is JsonObject baseline)
            {
                // The file's keys over the preset's values; keys match ignoring case, as when deserialising.
                values = Merge(baseline, values);
            }

            return values.Deserialize<TrainerOptions>(serializer) ?? new TrainerOptions();
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: {e.Message} Allowed keys: {string.Join(", ", FlagsByProperty.Values.Select(f => f[2..]).Order(StringComparer.Ordinal))} (encoding and compute keys nest under \"encoding\" and \"compute\").", e);
        }
    }

    private static JsonObject Merge(JsonObject baseline, JsonObject overrides)
    {
        var result = new JsonObject();
        foreach ((string key, JsonNode? value) in baseline)
        {
            result[key.ToLowerInvariant()] = value?.DeepClone();
        }

        foreach ((string key, JsonNode? value) in overrides)
        {
            string name = key.ToLowerInvariant();
            result[name] = result[name] is JsonObject inner && value is JsonObject nested ? Merge(inner, nested) : value?.DeepClone();
        }

        return result;
    }

    private static JsonObject Normalise(JsonObject source)
    {
        var result = new JsonObject();
        foreach ((string key, JsonNode? value) in source)
        {
            string name = key.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
            result[name] = value is JsonObject inner ? Normalise(inner) : value?.DeepClone();
        }

        return result;
    }

    private static IEnumerable<PropertyInfo> TopLevel() => typeof(TrainerOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.PropertyType != typeof(ComputeOptions));

    private static IEnumerable<PropertyInfo> Nested(Type type) => type
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite);

    private static object Clone(object record) =>
        record.GetType().GetMethod("<Clone>$")!.Invoke(record, null)!;

    private void Add(Command command, PropertyInfo property, object defaults, Action<TrainerOptions, object?> apply)
    {
        Flag flag = (Flag)typeof(TrainerFlags).GetMethod(nameof(CreateFlag), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(property.PropertyType)
            .Invoke(null, [Kebab(property.Name), Descriptions.GetValueOrDefault(property.Name, property.Name), property.GetValue(defaults), apply])!;
        command.Options.Add(flag.Option);
        _flags.Add(flag);
    }

    private static Flag CreateFlag<T>(string name, string description, T defaultValue, Action<TrainerOptions, object?> apply)
    {
        var option = new Option<T>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
        };
        if (defaultValue is bool flag)
        {
            // The help leaves out boolean defaults; a true default is switched off with "--name false".
            option.Description += flag ? " Default: true (--" + name[2..] + " false to turn off)." : " Default: false.";
        }

        Type type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (type.IsEnum)
        {
            // Lower-case on the command line, as the other choices; enum values parse ignoring case.
            option.AcceptOnlyFromAmong(Enum.GetNames(type).Select(n => n.ToLowerInvariant()).ToArray());
        }

        if (defaultValue is null)
        {
            // A nullable option without a value is off; the help says so instead of an empty default.
            option.DefaultValueFactory = null;
            if (!description.Contains("Default:", StringComparison.Ordinal))
            {
                option.Description += " Default: none.";
            }
        }

        return new Flag(option, parsed => parsed.GetValue(option), apply);
    }

    private static string Kebab(string name)
    {
        var builder = new StringBuilder("--");
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLower(name[i], CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private sealed record Flag(Option Option, Func<ParseResult, object?> Read, Action<TrainerOptions, object?> Apply);
}
