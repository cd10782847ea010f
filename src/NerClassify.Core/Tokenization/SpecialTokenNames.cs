namespace NerClassify.Tokenization;

/// <summary>The text of a vocabulary's special tokens.</summary>
/// <param name="Cls">The token every sequence starts with.</param>
/// <param name="Sep">The token every sequence ends with.</param>
/// <param name="Pad">The padding token.</param>
/// <param name="Unknown">The unknown token.</param>
/// <param name="Mask">The mask token (written to <c>tokenizer_config.json</c> when the vocabulary has it).</param>
internal sealed record SpecialTokenNames(string Cls, string Sep, string Pad, string Unknown, string Mask)
{
    /// <summary>RoBERTa's and XLM-R's: <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c>, <c>&lt;mask&gt;</c>.</summary>
    public static SpecialTokenNames Roberta { get; } = new("<s>", "</s>", "<pad>", "<unk>", "<mask>");
}
