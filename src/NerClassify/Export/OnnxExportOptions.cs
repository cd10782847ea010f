using NerClassify.Configuration;
using NerClassify.Inference;
using NerClassify.Tokenization;

namespace NerClassify.Export;

/// <summary>Settings of <see cref="OnnxExporter"/>: what to record in the file's metadata besides the labels.</summary>
internal sealed record OnnxExportOptions
{
    /// <summary>
    /// Whether the model's vocabulary lower-cases input, stored as <c>nerclassify.do_lower_case</c>; null leaves
    /// it out. Default null.
    /// </summary>
    public bool? LowerCase { get; init; }

    /// <summary>
    /// The window settings to store (<c>nerclassify.max_length</c>, <c>nerclassify.stride</c>), which
    /// the ONNX Runtime predictor then uses; null leaves them out. Default null.
    /// </summary>
    public EncodingOptions? Encoding { get; init; }

    /// <summary>Extra metadata entries (key, value) written after the library's own; keys must not start with <c>nerclassify.</c>. Default none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The model configuration to store as JSON under <see cref="OnnxMetadataKeys.Config"/>, or null.</summary>
    public ModelConfig? Config { get; init; }

    /// <summary>The weights fingerprint to store under <see cref="OnnxMetadataKeys.WeightsSha256"/>, or null.</summary>
    public string? WeightsSha256 { get; init; }

    /// <summary>The vocabulary to store under <see cref="OnnxMetadataKeys.Vocabulary"/>, so the file runs alone; or null.</summary>
    public BertVocabulary? Vocabulary { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A metadata key is empty or uses the reserved <c>nerclassify.</c> prefix.</exception>
    public OnnxExportOptions Validate()
    {
        Encoding?.Validate();
        if (Metadata is { } metadata)
        {
            foreach (string key in metadata.Keys)
            {
                if (string.IsNullOrEmpty(key) || key.StartsWith(OnnxMetadataKeys.Prefix, StringComparison.Ordinal))
                {
                    throw new ArgumentOutOfRangeException(nameof(Metadata), key, $"Metadata keys must be non-empty and must not start with '{OnnxMetadataKeys.Prefix}'.");
                }
            }
        }

        return this;
    }
}
