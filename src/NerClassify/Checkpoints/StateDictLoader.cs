using TorchSharp;
using static TorchSharp.torch;

namespace NerClassify.Checkpoints;

/// <summary>
/// Copies a checkpoint's tensors into a module, matching Hugging Face names: the <c>bert.</c> prefix of
/// task checkpoints is added or removed as the module needs (RoBERTa's <c>roberta.</c> is read as <c>bert.</c>, the
/// key task models hold every encoder under), legacy LayerNorm <c>gamma</c>/<c>beta</c>
/// become <c>weight</c>/<c>bias</c>, and pre-training heads (<c>cls.*</c>, <c>lm_head.*</c>) and <c>position_ids</c>
/// buffers are ignored.
/// </summary>
internal static class StateDictLoader
{
    private const string EncoderPrefix = "bert.";
    private const string RobertaPrefix = "roberta.";

    /// <summary>Loads <paramref name="source"/> into <paramref name="module"/>.</summary>
    /// <param name="module">The destination; its parameters keep their device and dtype.</param>
    /// <param name="source">Checkpoint tensors by name; not disposed.</param>
    /// <param name="sourceName">The file name, for messages.</param>
    /// <param name="strict">Throw when a model parameter is missing from the checkpoint.</param>
    /// <exception cref="InvalidDataException">A shape differs (the message names the key and both shapes), or, when strict, keys are missing.</exception>
    public static LoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string sourceName, bool strict = true)
    {
        Dictionary<string, Tensor> targets = module.state_dict().ToDictionary(p => p.Key, p => p.Value);
        var unexpected = new List<string>();
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        var assignments = new List<(Tensor Target, Tensor Value)>();

        foreach ((string key, Tensor value) in source)
        {
            if (IsIgnored(key))
            {
                continue;
            }

            string? target = Resolve(Normalise(key), targets);
            if (target is null)
            {
                unexpected.Add(key);
                continue;
            }

            Tensor destination = targets[target];
            if (!destination.shape.SequenceEqual(value.shape))
            {
                throw new InvalidDataException(
                    $"Checkpoint '{sourceName}': '{key}' has shape [{string.Join(", ", value.shape)}] but the model's '{target}' has [{string.Join(", ", destination.shape)}].");
            }

            assignments.Add((destination, value));
            loaded.Add(target);
        }

        string[] missing = targets.Keys.Where(k => !loaded.Contains(k)).ToArray();
        if (strict && missing.Length > 0)
        {
            throw new InvalidDataException(
                $"Checkpoint '{sourceName}' lacks {missing.Length} of the model's tensors: {string.Join(", ", missing.Take(10))}{(missing.Length > 10 ? ", ..." : string.Empty)}.");
        }

        using (no_grad())
        {
            foreach ((Tensor destination, Tensor value) in assignments)
            {
                destination.copy_(value);
            }
        }

        return new LoadReport(sourceName, missing, unexpected);
    }

    private static bool IsIgnored(string key) =>
        key.StartsWith("cls.", StringComparison.Ordinal) || key.StartsWith("lm_head.", StringComparison.Ordinal)
        || key.EndsWith("position_ids", StringComparison.Ordinal);

    private static string Normalise(string key)
    {
        if (key.StartsWith(RobertaPrefix, StringComparison.Ordinal))
        {
            key = EncoderPrefix + key[RobertaPrefix.Length..];
        }

        if (key.EndsWith(".gamma", StringComparison.Ordinal))
        {
            return key[..^".gamma".Length] + ".weight";
        }

        return key.EndsWith(".beta", StringComparison.Ordinal) ? key[..^".beta".Length] + ".bias" : key;
    }

    private static string? Resolve(string key, IReadOnlyDictionary<string, Tensor> targets)
    {
        if (targets.ContainsKey(key))
        {
            return key;
        }

        if (key.StartsWith(EncoderPrefix, StringComparison.Ordinal) && targets.ContainsKey(key[EncoderPrefix.Length..]))
        {
            return key[EncoderPrefix.Length..];
        }

        return targets.ContainsKey(EncoderPrefix + key) ? EncoderPrefix + key : null;
    }
}
