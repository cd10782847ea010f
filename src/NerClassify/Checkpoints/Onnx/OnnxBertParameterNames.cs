using System.Globalization;
using System.Text.RegularExpressions;

namespace NerClassify.Checkpoints.Onnx;

/// <summary>
/// The Hugging Face <c>BertModel</c> parameter names the ONNX importer produces (without the <c>bert.</c>
/// prefix), and the mapping from the names exporters give initializers onto them.
/// </summary>
internal static partial class OnnxBertParameterNames
{
    /// <summary>The word-embedding table, <c>[vocab, hidden]</c>.</summary>
    public const string WordEmbeddings = "embeddings.word_embeddings.weight";

    /// <summary>The position-embedding table, <c>[max_positions, hidden]</c>.</summary>
    public const string PositionEmbeddings = "embeddings.position_embeddings.weight";

    /// <summary>The token-type embedding table, <c>[type_vocab, hidden]</c>.</summary>
    public const string TokenTypeEmbeddings = "embeddings.token_type_embeddings.weight";

    /// <summary>The embedding LayerNorm scale.</summary>
    public const string EmbeddingsLayerNormWeight = "embeddings.LayerNorm.weight";

    /// <summary>The embedding LayerNorm shift.</summary>
    public const string EmbeddingsLayerNormBias = "embeddings.LayerNorm.bias";

    /// <summary>The pooler Linear weight, <c>[hidden, hidden]</c>.</summary>
    public const string PoolerWeight = "pooler.dense.weight";

    /// <summary>The pooler Linear bias.</summary>
    public const string PoolerBias = "pooler.dense.bias";

    /// <summary>The Linear modules of one encoder layer, relative to <c>encoder.layer.{i}.</c>, in call order.</summary>
    public static readonly IReadOnlyList<string> LayerLinears =
    [
        "attention.self.query",
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
        "intermediate.dense",
        "output.dense",
    ];

    /// <summary>The LayerNorm modules of one encoder layer, relative to <c>encoder.layer.{i}.</c>.</summary>
    public static readonly IReadOnlyList<string> LayerNorms = ["attention.output.LayerNorm", "output.LayerNorm"];

    /// <summary>
    /// Tells whether <paramref name="name"/> is the bias of one of the six Linear layers of an encoder layer
    /// (query, key, value, attention output, intermediate, output) or of the pooler.
    /// </summary>
    /// <param name="name">A parameter name without the <c>bert.</c> prefix.</param>
    /// <returns><see langword="true"/> for a Linear bias; <see langword="false"/> otherwise (LayerNorm biases included).</returns>
    public static bool IsLinearBias(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return LinearBiasPattern().IsMatch(name);
    }

    /// <summary>Gives the weight name that pairs with a Linear bias name.</summary>
    /// <param name="biasName">A name for which <see cref="IsLinearBias"/> holds.</param>
    /// <returns>The same module's <c>.weight</c> name.</returns>
    public static string WeightOf(string biasName) => string.Concat(biasName.AsSpan(0, biasName.Length - "bias".Length), "weight");

    /// <summary>Gets the name of a parameter of encoder layer <paramref name="layer"/>.</summary>
    /// <param name="layer">The zero-based layer index.</param>
    /// <param name="module">The module path relative to the layer, e.g. <c>attention.self.query</c>.</param>
    /// <param name="parameter"><c>weight</c> or <c>bias</c>.</param>
    /// <returns>For example <c>encoder.layer.0.attention.self.query.weight</c>.</returns>
    public static string Layer(int layer, string module, string parameter) =>
        string.Create(CultureInfo.InvariantCulture, $"encoder.layer.{layer}.{module}.{parameter}");

    /// <summary>
    /// Maps an exporter's initializer name onto a Hugging Face parameter name: drops any wrapper prefix
    /// (<c>bert.</c>, <c>0.auto_model.</c>, …) and renames legacy LayerNorm <c>gamma</c>/<c>beta</c>.
    /// </summary>
    /// <param name="onnxName">The name found in the ONNX file.</param>
    /// <param name="name">The Hugging Face name, when recognised.</param>
    /// <returns><see langword="true"/> when the name denotes a <c>BertModel</c> parameter.</returns>
    public static bool TryNormalize(string onnxName, out string name)
    {
        ArgumentNullException.ThrowIfNull(onnxName);
        Match match = ParameterPattern().Match(onnxName);
        if (!match.Success)
        {
            name = string.Empty;
            return false;
        }

        name = match.Groups["name"].Value;
        if (name.EndsWith(".LayerNorm.gamma", StringComparison.Ordinal))
        {
            name = string.Concat(name.AsSpan(0, name.Length - "gamma".Length), "weight");
        }
        else if (name.EndsWith(".LayerNorm.beta", StringComparison.Ordinal))
        {
            name = string.Concat(name.AsSpan(0, name.Length - "beta".Length), "bias");
        }

        return true;
    }

    /// <summary>Reads the layer index out of an <c>encoder.layer.{i}.…</c> name.</summary>
    /// <param name="name">A normalised parameter name.</param>
    /// <param name="layer">The layer index, when the name belongs to a layer.</param>
    /// <returns><see langword="true"/> when the name belongs to an encoder layer.</returns>
    public static bool TryGetLayer(string name, out int layer)
    {
        Match match = LayerPattern().Match(name);
        layer = match.Success ? int.Parse(match.Groups["layer"].ValueSpan, CultureInfo.InvariantCulture) : -1;
        return match.Success;
    }

    [GeneratedRegex(@"^(?:encoder\.layer\.\d+\.(?:attention\.self\.(?:query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)|pooler\.dense)\.bias$", RegexOptions.CultureInvariant)]
    private static partial Regex LinearBiasPattern();

    // The optional prefix must end with a dot, so "xembeddings.…" is not mistaken for "embeddings.…".
    [GeneratedRegex(
        @"^(?:.*\.)?(?<name>embeddings\.(?:(?:word|position|token_type)_embeddings\.weight|LayerNorm\.(?:weight|bias|gamma|beta))"
        + @"|encoder\.layer\.\d+\.(?:(?:attention\.self\.(?:query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)\.(?:weight|bias)"
        + @"|(?:attention\.output|output)\.LayerNorm\.(?:weight|bias|gamma|beta))"
        + @"|pooler\.dense\.(?:weight|bias))$",
        RegexOptions.CultureInvariant)]
    private static partial Regex ParameterPattern();

    [GeneratedRegex(@"^encoder\.layer\.(?<layer>\d+)\.", RegexOptions.CultureInvariant)]
    private static partial Regex LayerPattern();
}
