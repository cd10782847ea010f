namespace NerClassify.Tokenization;

/// <summary>
/// What differs between the BERT-family architectures the library builds, by Hugging Face <c>model_type</c>: the
/// prefix of their parameters in task checkpoints, the prefix of their class names in <c>architectures</c>, and where
/// position ids start. The one table of them; the encoder, the checkpoint names, the ONNX export and the window
/// defaults all ask it rather than testing the model type themselves.
/// </summary>
internal static class EncoderFamily
{
    /// <summary>BERT's <c>model_type</c>.</summary>
    public const string Bert = "bert";

    /// <summary>RoBERTa's <c>model_type</c>.</summary>
    public const string Roberta = "roberta";

    /// <summary>XLM-RoBERTa's <c>model_type</c>.</summary>
    public const string XlmRoberta = "xlm-roberta";

    /// <summary>The prefix the encoder's parameters carry inside task models (the module key every task model uses).</summary>
    public const string ModuleKey = "bert";

    /// <summary>Whether the model type is RoBERTa-shaped: position ids after the padding id, parameters under <c>roberta.</c>.</summary>
    public static bool IsRoberta(string? modelType) => modelType is Roberta or XlmRoberta;

    /// <summary>The key the encoder's parameters sit under in a Hugging Face task checkpoint: <c>bert</c> or <c>roberta</c>.</summary>
    public static string CheckpointKey(string? modelType) => IsRoberta(modelType) ? "roberta" : ModuleKey;

    /// <summary>The prefix of Hugging Face class names for the model type: <c>Bert</c>, <c>Roberta</c> or <c>XLMRoberta</c>.</summary>
    public static string ClassPrefix(string? modelType) => modelType switch
    {
        Roberta => "Roberta",
        XlmRoberta => "XLMRoberta",
        _ => "Bert",
    };

    /// <summary>
    /// The first position id: 0 for BERT; <paramref name="padTokenId"/> + 1 for RoBERTa, whose padding positions take
    /// <paramref name="padTokenId"/> and whose table therefore has <paramref name="padTokenId"/> + 1 rows no token uses.
    /// </summary>
    public static int PositionOffset(string? modelType, int padTokenId) => IsRoberta(modelType) ? padTokenId + 1 : 0;

    /// <summary>The most tokens (special tokens included) a sequence may have: the position rows after the offset.</summary>
    public static int MaxTokens(string? modelType, int maxPositionEmbeddings, int padTokenId) =>
        maxPositionEmbeddings - PositionOffset(modelType, padTokenId);

    /// <summary>Renames a library architecture name (<c>BertForTokenClassification</c>) for the model type (<c>XLMRobertaForTokenClassification</c>).</summary>
    public static string ArchitectureName(string bertArchitecture, string? modelType) =>
        bertArchitecture.StartsWith("Bert", StringComparison.Ordinal) ? ClassPrefix(modelType) + bertArchitecture["Bert".Length..] : bertArchitecture;

    /// <summary>The BERT form of an architecture name of any supported family (<c>RobertaForTokenClassification</c> to <c>BertForTokenClassification</c>).</summary>
    public static string BertArchitectureName(string architecture)
    {
        foreach (string prefix in (string[])["XLMRoberta", "Roberta"])
        {
            if (architecture.StartsWith(prefix + "For", StringComparison.Ordinal))
            {
                return "Bert" + architecture[prefix.Length..];
            }
        }

        return architecture;
    }
}
