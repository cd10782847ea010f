namespace NerClassify.Checkpoints.Onnx;

/// <summary>
/// The result of importing a BERT encoder from ONNX: its shape and its parameters.
/// </summary>
/// <param name="Shape">The hyper-parameters inferred from the graph.</param>
/// <param name="Tensors">
/// The parameters keyed by Hugging Face <c>BertModel</c> state-dict names without the <c>bert.</c> prefix
/// (for example <c>encoder.layer.0.attention.self.query.weight</c>); Linear weights are <c>[out, in]</c>.
/// </param>
internal sealed record OnnxBertWeights(OnnxBertShape Shape, IReadOnlyDictionary<string, ImportedTensor> Tensors);
