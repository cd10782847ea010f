namespace NerClassify.Inference;

/// <summary>The input and output names of an exported graph.</summary>
internal static class OnnxTensorNames
{
    /// <summary>Input: int64 token ids, [batch, sequence].</summary>
    public const string InputIds = "input_ids";

    /// <summary>Input: int64, 1 for tokens and 0 for padding, [batch, sequence].</summary>
    public const string AttentionMask = "attention_mask";

    /// <summary>Input: int64 segment ids (all 0 for single sentences), [batch, sequence].</summary>
    public const string TokenTypeIds = "token_type_ids";

    /// <summary>Input, only when the token head uses casing: int64 word casing ids (see <see cref="Tokenization.WordCasings"/>), [batch, sequence].</summary>
    public const string CasingIds = "casing_ids";

    /// <summary>Input, only with character features: int64 character ids of each subword's word (see <see cref="Tokenization.WordCharacters"/>), [batch, sequence, 16].</summary>
    public const string CharacterIds = "character_ids";

    /// <summary>Output of token and multitask models: float logits, [batch, sequence, token labels].</summary>
    public const string TokenLogits = "token_logits";

    /// <summary>Output of sequence and multitask models: float logits, [batch, sentence classes].</summary>
    public const string SequenceLogits = "sequence_logits";
}
