using NerClassify.Configuration;

namespace NerClassify.Inference;

/// <summary>
/// The <c>metadata_props</c> keys of an ONNX export; values are strings. Exports write <see cref="Config"/>,
/// <see cref="MaxPositionEmbeddings"/>, <see cref="Vocabulary"/> and (with a CRF) <see cref="Crf"/>; the other keys
/// are read from exports made before the configuration was written once.
/// </summary>
internal static class OnnxMetadataKeys
{
    /// <summary>The prefix of every key the library writes.</summary>
    public const string Prefix = "nerclassify.";

    /// <summary>(Older exports.) The task: <c>token</c>, <c>sequence</c> or <c>multitask</c>.</summary>
    public const string Task = Prefix + "task";

    /// <summary>(Older exports.) Token label names in id order, as a JSON array of strings (token and multitask models).</summary>
    public const string TokenLabels = Prefix + "token_labels";

    /// <summary>(Older exports.) Sentence class names in id order, as a JSON array of strings (sequence and multitask models).</summary>
    public const string SequenceLabels = Prefix + "sequence_labels";

    /// <summary>(Older exports.) <c>true</c> or <c>false</c>: whether the vocabulary lower-cases input (when known at export).</summary>
    public const string DoLowerCase = Prefix + "do_lower_case";

    /// <summary>The encoder's position count, the longest input the graph accepts (for RoBERTa, <c>max_position_embeddings</c> less <c>pad_token_id</c> + 1).</summary>
    public const string MaxPositionEmbeddings = Prefix + "max_position_embeddings";

    /// <summary>(Older exports.) The subword window length to use at inference (when given at export).</summary>
    public const string MaxLength = Prefix + "max_length";

    /// <summary>(Older exports.) The subword overlap between windows (when given at export).</summary>
    public const string Stride = Prefix + "stride";

    /// <summary>The model's <see cref="ModelConfig"/> as JSON (the <c>nerclassify</c> section of <c>config.json</c>).</summary>
    public const string Config = Prefix + "config";

    /// <summary>
    /// The CRF of a CRF token head, as JSON <c>{"transitions": [L*L, row-major from, to], "start": [L], "end": [L]}</c>:
    /// the graph gives per-token scores, and the runtime decodes them with these scores (Viterbi).
    /// </summary>
    public const string Crf = Prefix + "crf";

    /// <summary>
    /// The SHA-256 of the <c>model.safetensors</c> that a save of the exported weights writes (the weights fingerprint,
    /// also in <c>config.json</c> as <c>nerclassify.weights_sha256</c>), so that a stale export in a model directory is refused.
    /// </summary>
    public const string WeightsSha256 = Prefix + "weights_sha256";

    /// <summary>The WordPiece vocabulary, one token per line, so that the ONNX file runs without its directory.</summary>
    public const string Vocabulary = Prefix + "vocabulary";

    /// <summary>
    /// For a byte-level BPE or SentencePiece vocabulary (RoBERTa, XLM-R): the tokenizer as one JSON text (kind, special
    /// tokens and the content of its files), which the ONNX Runtime predictor reads in place of <see cref="Vocabulary"/>.
    /// </summary>
    public const string Tokenizer = Prefix + "tokenizer";
}
