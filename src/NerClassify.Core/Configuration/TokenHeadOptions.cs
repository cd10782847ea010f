
namespace NerClassify.Configuration;

/// <summary>Shape of the default token head.</summary>
public sealed record TokenHeadOptions
{
    /// <summary>Width of an optional hidden layer (dense + GELU) before the classifier; 0 for a single linear layer, as Hugging Face's <c>BertForTokenClassification</c>. Default 0.</summary>
    public int HiddenLayerSize { get; init; }

    /// <summary>
    /// Width of a learned embedding of each word's casing (lower, Title, UPPER, mixed, digits, other),
    /// concatenated to the token state. Gives an uncased encoder the capitalisation back. 0 turns it off. Default 0.
    /// </summary>
    public int CasingEmbeddingSize { get; init; }

    /// <summary>
    /// Also give the encoder the casing: a learned embedding of each word's casing class, initialised to zero,
    /// is added to the encoder's input embeddings (model key <c>casing_embeddings.weight</c>), so every layer can
    /// use capitalisation in context. Default false.
    /// </summary>
    public bool CasingInput { get; init; }

    /// <summary>
    /// Give the encoder character-level word features: a small character CNN reads each word as written (cased, its first
    /// 16 chars), embedding each char (32 wide), convolving (64 filters, width 3) with ReLU and taking the maximum over
    /// the word's chars; a linear projection to the hidden size, initialised to zero, adds the result to the input
    /// embeddings of every subword of the word (model keys <c>character_encoder.*</c>). Training starts exactly at the
    /// pretrained encoder. Default false.
    /// </summary>
    public bool CharacterFeatures { get; init; }

    /// <summary>
    /// Put a linear-chain CRF over the token head's word scores (model keys <c>crf.transitions</c>,
    /// <c>crf.start_transitions</c> and <c>crf.end_transitions</c> under the token classifier): training minimises
    /// the CRF negative log-likelihood over each sentence's words instead of per-token cross-entropy, and prediction
    /// decodes with the CRF's Viterbi over its learned transitions instead of per-word softmax scores (with constrained
    /// decoding on, transitions the tag scheme forbids stay forbidden).
    /// An ONNX export carries the CRF scores in its metadata and ONNX Runtime decodes with them; Triton export refuses CRF models. Default false.
    /// </summary>
    public bool Crf { get; init; }

    /// <summary>Dropout before the classifier, or null for the encoder's <c>hidden_dropout_prob</c>. Default null.</summary>
    public double? Dropout { get; init; }

    /// <summary>Checks the values.</summary>
    public TokenHeadOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(HiddenLayerSize, nameof(HiddenLayerSize));
        ArgumentOutOfRangeException.ThrowIfNegative(CasingEmbeddingSize, nameof(CasingEmbeddingSize));
        if (Dropout is { } p && (p < 0 || p >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Dropout), p, "Dropout must lie in [0, 1).");
        }

        return this;
    }
}
