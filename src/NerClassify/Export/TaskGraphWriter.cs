using NerClassify.Checkpoints.Onnx;
using NerClassify.Configuration;
using NerClassify.Encoders.Bert;
using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tokenization;
using static TorchSharp.torch;
using DataType = NerClassify.Checkpoints.Onnx.TensorProto.Types.DataType;

namespace NerClassify.Export;

/// <summary>
/// Emits the inference graph of a task model (BERT encoder plus default heads) in the node patterns of
/// Hugging Face's torch.onnx exports, which ONNX Runtime's optimizers fuse: MatMul + Add linears over
/// <c>[in, out]</c> weights, LayerNormalization, the erf form of GELU and the Reshape/Transpose/MatMul/Div/Add/
/// Softmax attention with a <c>(1 - mask) * -10000</c> mask. Dropout is the identity at inference and is left out.
/// </summary>
internal sealed class TaskGraphWriter
{
    private const string Batch = "batch";
    private const string Sequence = "sequence";
    private const string CasingInputKey = "casing_embeddings.weight";
    private const string CharacterEncoderKey = "character_encoder";

    private readonly OnnxGraphBuilder _graph = new("nerclassify");
    private readonly Dictionary<string, Tensor> _state;

    private TaskGraphWriter(Dictionary<string, Tensor> state) => _state = state;

    /// <summary>Builds the graph of <paramref name="model"/>; runs inside the caller's dispose scope.</summary>
    /// <exception cref="NotSupportedException">The model, its encoder or a head is not one of the library's defaults.</exception>
    public static GraphProto Write(TaskModel model)
    {
        (string? tokenPrefix, TokenClassificationHead? tokenHead, string? sequencePrefix, SequenceClassificationHead? sequenceHead) = Heads(model);
        if (model.Encoder is not BertEncoder encoder)
        {
            throw new NotSupportedException($"Only BertEncoder can be exported to ONNX; the model's encoder is {model.Encoder.GetType().Name}.");
        }

        var writer = new TaskGraphWriter(model.state_dict());
        writer.WriteModel(encoder.Config, tokenPrefix, tokenHead, sequencePrefix, sequenceHead);
        return writer._graph.Graph;
    }

    /// <summary>Each head with its state-dict prefix (token head first in <see cref="TaskModel.HeadKeys"/>).</summary>
    private static (string?, TokenClassificationHead?, string?, SequenceClassificationHead?) Heads(TaskModel model) =>
        (model.TokenHead is null ? null : model.HeadKeys[0],
         model.TokenHead is null ? null : Standard(model.TokenHead),
         model.SequenceHead is null ? null : model.HeadKeys[^1],
         model.SequenceHead is null ? null : Standard(model.SequenceHead));

    // The graph is written operation by operation from what the library's heads compute; a head of your own is C#
    // code in its forward(), which this writer cannot read, and TorchSharp has no tracer to record it.
    private static TokenClassificationHead Standard(TokenHead head) => head as TokenClassificationHead
        ?? throw new NotSupportedException(
            $"The token head '{head.HeadType}' ({head.GetType().Name}) cannot be exported to ONNX: the exporter writes the graph of the library's {TokenClassificationHead.TypeName} operation by operation and cannot read a custom head's forward(). Predict with NerClassifier (TorchSharp) instead.");

    private static SequenceClassificationHead Standard(SequenceHead head) => head as SequenceClassificationHead
        ?? throw new NotSupportedException(
            $"The sequence head '{head.HeadType}' ({head.GetType().Name}) cannot be exported to ONNX: the exporter writes the graph of the library's {SequenceClassificationHead.TypeName} operation by operation and cannot read a custom head's forward(). Predict with NerClassifier (TorchSharp) instead.");

    private void WriteModel(BertConfig config, string? tokenPrefix, TokenClassificationHead? tokenHead, string? sequencePrefix, SequenceClassificationHead? sequenceHead)
    {
        _graph.AddInput(OnnxTensorNames.InputIds, DataType.Int64, Batch, Sequence);
        _graph.AddInput(OnnxTensorNames.AttentionMask, DataType.Int64, Batch, Sequence);
        _graph.AddInput(OnnxTensorNames.TokenTypeIds, DataType.Int64, Batch, Sequence);
        bool casingInput = _state.ContainsKey(CasingInputKey);
        if (tokenHead?.UsesCasing == true || casingInput)
        {
            _graph.AddInput(OnnxTensorNames.CasingIds, DataType.Int64, Batch, Sequence);
        }

        bool characterInput = _state.ContainsKey($"{CharacterEncoderKey}.projection.weight");
        if (characterInput)
        {
            _graph.AddInput(OnnxTensorNames.CharacterIds, DataType.Int64, Batch, Sequence, (long)WordCharacters.Width);
        }

        string hidden = Encoder(config, casingInput, characterInput); // [B, T, H]
        if (tokenHead is not null)
        {
            TokenHead(hidden, tokenPrefix!, tokenHead);
            _graph.AddOutput(OnnxTensorNames.TokenLogits, DataType.Float, Batch, Sequence, (long)tokenHead.LabelCount);
        }

        if (sequenceHead is not null)
        {
            SequenceHead(hidden, sequencePrefix!, sequenceHead.Pooling);
            _graph.AddOutput(OnnxTensorNames.SequenceLogits, DataType.Float, Batch, (long)sequenceHead.ClassCount);
        }
    }

    private string Encoder(BertConfig config, bool casingInput, bool characterInput)
    {
        const string e = "bert.embeddings";
        string words = _graph.Node("Gather", e, [Weight($"{e}.word_embeddings.weight"), OnnxTensorNames.InputIds]); // [B, T, H]
        string types = _graph.Node("Gather", e, [Weight($"{e}.token_type_embeddings.weight"), OnnxTensorNames.TokenTypeIds]);

        string positions = config.PositionOffset == 0 ? Positions(e) : RobertaPositions(e, config.PadTokenId);
        string sum = _graph.Node("Add", e, [_graph.Node("Add", e, [words, types]), positions]);
        if (casingInput)
        {
            // The model's casing embedding joins the input embeddings before their LayerNorm.
            string casing = _graph.Node("Gather", e, [Weight(CasingInputKey), OnnxTensorNames.CasingIds]); // [B, T, H]
            sum = _graph.Node("Add", e, [sum, casing]);
        }

        if (characterInput)
        {
            sum = _graph.Node("Add", e, [sum, Characters(config.HiddenSize)]);
        }

        string hidden = LayerNorm(sum, $"{e}.LayerNorm", config.LayerNormEps);

        // [B, T] 0/1 -> [B, 1, 1, T] additive mask: 0 for tokens, -10000 for padding (exp underflows to 0 either way).
        const string m = "bert.mask";
        string unsqueezed = _graph.Node("Unsqueeze", m, [OnnxTensorNames.AttentionMask, _graph.Int64s([1, 2])]);
        string cast = _graph.Node("Cast", m, [unsqueezed], null, OnnxGraphBuilder.Int("to", (long)DataType.Float));
        string inverted = _graph.Node("Sub", m, [_graph.FloatScalar(1f), cast]);
        string mask = _graph.Node("Mul", m, [inverted, _graph.FloatScalar(-10000f)]);

        for (int i = 0; i < config.NumHiddenLayers; i++)
        {
            hidden = Layer(hidden, mask, $"bert.encoder.layer.{i}", config);
        }

        return hidden;
    }

    /// <summary>Position ids 0..T-1 select the first T rows of the table: Slice it by the input's length. [T, H].</summary>
    private string Positions(string e)
    {
        string length = _graph.Node("Shape", e, [OnnxTensorNames.InputIds], null, OnnxGraphBuilder.Int("start", 1), OnnxGraphBuilder.Int("end", 2)); // [1]
        string zero = _graph.Int64s([0]);
        return _graph.Node("Slice", e, [Weight($"{e}.position_embeddings.weight"), zero, length, zero]);
    }

    /// <summary>
    /// RoBERTa's position ids, as <c>create_position_ids_from_input_ids</c> defines them: cumsum(ids != pad) * (ids != pad)
    /// + pad, so tokens count from pad + 1 and padding takes pad. [B, T, H].
    /// </summary>
    private string RobertaPositions(string e, long padTokenId)
    {
        string pad = _graph.Int64s([padTokenId], scalar: true);
        string isPadding = _graph.Node("Equal", e, [OnnxTensorNames.InputIds, pad]);
        string isToken = _graph.Node("Cast", e, [_graph.Node("Not", e, [isPadding])], null, OnnxGraphBuilder.Int("to", (long)DataType.Int64)); // [B, T]
        string counted = _graph.Node("CumSum", e, [isToken, _graph.Int64s([1], scalar: true)]);
        string ids = _graph.Node("Add", e, [_graph.Node("Mul", e, [counted, isToken]), pad]);
        return _graph.Node("Gather", e, [Weight($"{e}.position_embeddings.weight"), ids]);
    }

    private string Layer(string hidden, string mask, string p, BertConfig config)
    {
        long heads = config.NumAttentionHeads;
        long headSize = config.HiddenSize / config.NumAttentionHeads;
        string a = $"{p}.attention.self";
        string split = _graph.Int64s([0, 0, heads, headSize]);
        string query = _graph.Node("Transpose", a, [_graph.Node("Reshape", a, [Linear(hidden, $"{a}.query"), split])], null, OnnxGraphBuilder.Ints("perm", 0, 2, 1, 3)); // [B, heads, T, d]
        string key = _graph.Node("Transpose", a, [_graph.Node("Reshape", a, [Linear(hidden, $"{a}.key"), split])], null, OnnxGraphBuilder.Ints("perm", 0, 2, 3, 1)); // [B, heads, d, T]
        string value = _graph.Node("Transpose", a, [_graph.Node("Reshape", a, [Linear(hidden, $"{a}.value"), split])], null, OnnxGraphBuilder.Ints("perm", 0, 2, 1, 3)); // [B, heads, T, d]
        string scores = _graph.Node("Div", a, [_graph.Node("MatMul", a, [query, key]), _graph.FloatScalar(MathF.Sqrt(headSize))]); // [B, heads, T, T]
        string probabilities = _graph.Node("Softmax", a, [_graph.Node("Add", a, [scores, mask])], null, OnnxGraphBuilder.Int("axis", -1));
        string context = _graph.Node("Transpose", a, [_graph.Node("MatMul", a, [probabilities, value])], null, OnnxGraphBuilder.Ints("perm", 0, 2, 1, 3)); // [B, T, heads, d]
        string merged = _graph.Node("Reshape", a, [context, _graph.Int64s([0, 0, config.HiddenSize])]); // [B, T, H]

        string attended = Residual(merged, hidden, $"{p}.attention.output", config.LayerNormEps);
        string intermediate = Gelu(Linear(attended, $"{p}.intermediate.dense"), $"{p}.intermediate"); // [B, T, I]
        return Residual(intermediate, attended, $"{p}.output", config.LayerNormEps);
    }

    private string Characters(long hiddenSize)
    {
        // The character CNN of CharacterEncoder over every subword's word: [B, T, W] ids -> [B, T, H].
        const string c = CharacterEncoderKey;
        string flat = _graph.Node("Reshape", c, [OnnxTensorNames.CharacterIds, _graph.Int64s([-1, WordCharacters.Width])]); // [N, W]
        string embedded = _graph.Node("Gather", c, [Weight($"{c}.embeddings.weight"), flat]); // [N, W, E]
        string channels = _graph.Node("Transpose", c, [embedded], null, OnnxGraphBuilder.Ints("perm", 0, 2, 1)); // [N, E, W]
        long pad = CharacterEncoder.KernelSize / 2;
        string convolved = _graph.Node(
            "Conv",
            c,
            [channels, Weight($"{c}.convolution.weight"), Weight($"{c}.convolution.bias")],
            null,
            OnnxGraphBuilder.Ints("kernel_shape", CharacterEncoder.KernelSize),
            OnnxGraphBuilder.Ints("pads", pad, pad)); // [N, F, W]
        string activated = _graph.Node("Relu", c, [convolved]);

        // Zero the padded chars before the maximum, as CharacterEncoder does (ReLU outputs are >= 0).
        string present = _graph.Node("Cast", c, [_graph.Node("Greater", c, [flat, _graph.Int64s([0], scalar: true)])], null, OnnxGraphBuilder.Int("to", (long)DataType.Float)); // [N, W]
        string masked = _graph.Node("Mul", c, [activated, _graph.Node("Unsqueeze", c, [present, _graph.Int64s([1])])]); // [N, F, W]
        string pooled = _graph.Node("ReduceMax", c, [masked], null, OnnxGraphBuilder.Ints("axes", 2), OnnxGraphBuilder.Int("keepdims", 0)); // [N, F]
        string projected = _graph.Node("MatMul", c, [pooled, Weight($"{c}.projection.weight", transpose: true)]); // [N, H]
        string batchAndLength = _graph.Node("Shape", c, [OnnxTensorNames.CharacterIds], null, OnnxGraphBuilder.Int("start", 0), OnnxGraphBuilder.Int("end", 2)); // [2]
        string shape = _graph.Node("Concat", c, [batchAndLength, _graph.Int64s([hiddenSize])], null, OnnxGraphBuilder.Int("axis", 0)); // [3]
        return _graph.Node("Reshape", c, [projected, shape]); // [B, T, H]
    }

    private string Residual(string input, string residual, string p, double eps)
    {
        string sum = _graph.Node("Add", p, [Linear(input, $"{p}.dense"), residual]);
        return LayerNorm(sum, $"{p}.LayerNorm", eps);
    }

    private void TokenHead(string hidden, string p, TokenClassificationHead head)
    {
        string features = hidden;
        if (head.UsesCasing)
        {
            string casing = _graph.Node("Gather", p, [Weight($"{p}.casing_embeddings.weight"), OnnxTensorNames.CasingIds]); // [B, T, E]
            features = _graph.Node("Concat", p, [hidden, casing], null, OnnxGraphBuilder.Int("axis", -1)); // [B, T, H + E]
        }

        if (head.Options.HiddenLayerSize > 0)
        {
            features = Gelu(Linear(features, $"{p}.hidden"), $"{p}.hidden");
        }

        Linear(features, p, OnnxTensorNames.TokenLogits);
    }

    private void SequenceHead(string hidden, string p, SentencePooling pooling)
    {
        if (pooling == SentencePooling.Mean)
        {
            // The mean of the token states, padding excluded: sum(hidden * mask) / max(sum(mask), 1).
            string scope = $"{p}.mean";
            string unsqueezed = _graph.Node("Unsqueeze", scope, [OnnxTensorNames.AttentionMask, _graph.Int64s([2])]); // [B, T, 1]
            string weights = _graph.Node("Cast", scope, [unsqueezed], null, OnnxGraphBuilder.Int("to", (long)DataType.Float));
            string axis = _graph.Int64s([1]);
            string summed = _graph.Node("ReduceSum", scope, [_graph.Node("Mul", scope, [hidden, weights]), axis], null, OnnxGraphBuilder.Int("keepdims", 0)); // [B, H]
            string counts = _graph.Node("Max", scope, [_graph.Node("ReduceSum", scope, [weights, axis], null, OnnxGraphBuilder.Int("keepdims", 0)), _graph.FloatScalar(1f)]); // [B, 1]
            Linear(_graph.Node("Div", scope, [summed, counts]), p, OnnxTensorNames.SequenceLogits);
            return;
        }

        // The [CLS] state through dense + tanh: the encoder's pooler, or the head's own when the encoder has none.
        string pooler = _state.ContainsKey($"{p}.pooler.weight") ? $"{p}.pooler" : "bert.pooler.dense";
        string first = _graph.Node("Gather", pooler, [hidden, _graph.Int64s([0], scalar: true)], null, OnnxGraphBuilder.Int("axis", 1)); // [B, H]
        string pooled = _graph.Node("Tanh", pooler, [Linear(first, pooler)]);
        Linear(pooled, p, OnnxTensorNames.SequenceLogits);
    }

    private string Gelu(string x, string scope)
    {
        // Exact GELU as x * 0.5 * (1 + erf(x / sqrt 2)), the pattern ONNX Runtime fuses into one Gelu.
        string erf = _graph.Node("Erf", scope, [_graph.Node("Div", scope, [x, _graph.FloatScalar(MathF.Sqrt(2f))])]);
        string shifted = _graph.Node("Add", scope, [erf, _graph.FloatScalar(1f)]);
        return _graph.Node("Mul", scope, [_graph.Node("Mul", scope, [x, shifted]), _graph.FloatScalar(0.5f)]);
    }

    private string Linear(string x, string key, string? output = null)
    {
        string weight = Weight($"{key}.weight", transpose: true); // [in, out]
        string product = _graph.Node("MatMul", key, [x, weight]);
        return _graph.Node("Add", key, [product, Weight($"{key}.bias")], output);
    }

    private string LayerNorm(string x, string key, double eps) =>
        _graph.Node("LayerNormalization", key, [x, Weight($"{key}.weight"), Weight($"{key}.bias")], null, OnnxGraphBuilder.Int("axis", -1), OnnxGraphBuilder.Float("epsilon", (float)eps));

    private string Weight(string key, bool transpose = false)
    {
        if (!_state.TryGetValue(key, out Tensor? tensor))
        {
            throw new InvalidOperationException($"The model has no parameter '{key}'; its state_dict has {string.Join(", ", _state.Keys.Take(6))}, ...");
        }

        Tensor value = tensor.detach().cpu().to_type(ScalarType.Float32);
        if (transpose)
        {
            value = value.t();
        }

        value = value.contiguous();
        return _graph.AddInitializer(key, value.data<float>().ToArray(), value.shape);
    }
}
