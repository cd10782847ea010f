namespace NerClassify.Checkpoints.Onnx;

/// <summary>
/// The BERT hyper-parameters recovered from an ONNX graph, matching the fields of a Hugging Face
/// <c>BertConfig</c> that the weights alone do not fix (heads, epsilon) as well as those they do.
/// </summary>
/// <param name="HiddenSize">Width of the hidden states (<c>hidden_size</c>).</param>
/// <param name="NumLayers">Number of encoder layers (<c>num_hidden_layers</c>).</param>
/// <param name="NumAttentionHeads">Number of attention heads per layer (<c>num_attention_heads</c>).</param>
/// <param name="IntermediateSize">Width of the feed-forward layer (<c>intermediate_size</c>).</param>
/// <param name="VocabSize">Rows of the word-embedding table (<c>vocab_size</c>).</param>
/// <param name="MaxPositionEmbeddings">Rows of the position-embedding table (<c>max_position_embeddings</c>).</param>
/// <param name="TypeVocabSize">Rows of the token-type embedding table (<c>type_vocab_size</c>).</param>
/// <param name="LayerNormEps">The LayerNorm epsilon (<c>layer_norm_eps</c>).</param>
/// <param name="HasPooler">Whether the graph carries the <c>pooler.dense</c> layer.</param>
internal sealed record OnnxBertShape(
    int HiddenSize,
    int NumLayers,
    int NumAttentionHeads,
    int IntermediateSize,
    int VocabSize,
    int MaxPositionEmbeddings,
    int TypeVocabSize,
    double LayerNormEps,
    bool HasPooler);
