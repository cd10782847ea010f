using System.Buffers.Binary;
using Google.Protobuf;
using NerClassify.Checkpoints.Onnx;

namespace NerClassify.Tests.Checkpoints;

/// <summary>
/// Builds a one-layer BERT-shaped ONNX graph with the generated protobuf classes, laid out the way
/// torch.onnx exports it: named biases added to MatMuls over unnamed <c>[in, out]</c> weights, a Reshape
/// to <c>[B, T, heads, head_dim]</c> and LayerNorms. The graph is structurally faithful, not runnable.
/// </summary>
internal sealed class OnnxTinyBertModelBuilder
{
    public const int Hidden = 6;
    public const int Heads = 3;
    public const int Intermediate = 8;
    public const int Vocab = 7;
    public const int MaxPositions = 5;
    public const int TypeVocab = 2;

    private static readonly string[] Linears =
    [
        "attention.self.query",
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
        "intermediate.dense",
        "output.dense",
    ];

    private readonly GraphProto _graph = new() { Name = "tiny-bert" };
    private int _next;

    /// <summary>Stores float tensors in <c>float_data</c> instead of little-endian <c>raw_data</c>.</summary>
    public bool UseFloatData { get; init; }

    /// <summary>Emits LayerNormalization nodes instead of the decomposed ReduceMean/Sub/Pow/… chain.</summary>
    public bool UseLayerNormalizationOp { get; init; }

    /// <summary>The LayerNorm epsilon written into the graph.</summary>
    public float Epsilon { get; init; } = 1e-12f;

    /// <summary>Adds the pooler as a Gemm(transB = 1) over named weights.</summary>
    public bool IncludePooler { get; init; }

    /// <summary>Names the MatMul weights with their Hugging Face names (still <c>[in, out]</c>).</summary>
    public bool NameMatMulWeights { get; init; }

    /// <summary>Emits the MatMul weights as Constant nodes rather than initializers.</summary>
    public bool WeightsAsConstantNodes { get; init; }

    /// <summary>A prefix for every named parameter, such as <c>bert.</c>.</summary>
    public string NamePrefix { get; init; } = string.Empty;

    /// <summary>Hugging Face parameter names to leave out of the graph.</summary>
    public IReadOnlySet<string> Omit { get; init; } = new HashSet<string>();

    /// <summary>A Linear module whose bias is added to a graph input instead of its MatMul.</summary>
    public string? DetachedBias { get; init; }

    /// <summary>A Linear module whose bias is also added to a second MatMul with another weight.</summary>
    public string? AmbiguousBias { get; init; }

    /// <summary>The deterministic value of the ONNX <c>[in, out]</c> weight of <paramref name="module"/> at [row, column].</summary>
    public static float WeightValue(string module, int row, int column) =>
        ((Array.IndexOf(Linears, module) + 1) * 1000) + (row * 10) + column;

    /// <summary>The deterministic values of the named vector or table <paramref name="name"/>.</summary>
    public static float[] NamedValues(string name, int count) =>
        Enumerable.Range(0, count).Select(i => (name.Length * 100f) + i).ToArray();

    /// <summary>Builds the model and serializes it into a readable stream.</summary>
    public MemoryStream ToStream() => new(Build().ToByteArray());

    /// <summary>Builds the model.</summary>
    public ModelProto Build()
    {
        _graph.Input.Add(new ValueInfoProto { Name = "input_ids" });

        string words = Named("embeddings.word_embeddings.weight", Vocab, Hidden);
        Named("embeddings.position_embeddings.weight", MaxPositions, Hidden);
        Named("embeddings.token_type_embeddings.weight", TypeVocab, Hidden);
        string hidden = Node("Gather", [words, "input_ids"]);
        hidden = LayerNorm(hidden, "embeddings.LayerNorm");

        const string layer = "encoder.layer.0.";
        string query = Linear(hidden, layer + "attention.self.query", Hidden, Hidden);
        string key = Linear(hidden, layer + "attention.self.key", Hidden, Hidden);
        string value = Linear(hidden, layer + "attention.self.value", Hidden, Hidden);
        SplitHeads(query);
        SplitHeads(key);
        string context = Node("Add", [SplitHeads(value), query]);
        string attention = Linear(context, layer + "attention.output.dense", Hidden, Hidden);
        attention = LayerNorm(Node("Add", [attention, hidden]), layer + "attention.output.LayerNorm");
        string intermediate = Linear(attention, layer + "intermediate.dense", Hidden, Intermediate);
        string output = Linear(intermediate, layer + "output.dense", Intermediate, Hidden);
        output = LayerNorm(Node("Add", [output, attention]), layer + "output.LayerNorm");
        _graph.Output.Add(new ValueInfoProto { Name = output });

        if (IncludePooler)
        {
            string weight = Named("pooler.dense.weight", Hidden, Hidden);
            string bias = Named("pooler.dense.bias", Hidden);
            string pooled = Node("Gemm", [output, weight, bias], new AttributeProto
            {
                Name = "transB",
                Type = AttributeProto.Types.AttributeType.Int,
                I = 1,
            });
            _graph.Output.Add(new ValueInfoProto { Name = pooled });
        }

        return new ModelProto { IrVersion = 7, ProducerName = "tests", Graph = _graph };
    }

    // MatMul(x, W[in, out]) then Add(bias, product), as torch.onnx emits nn.Linear.
    private string Linear(string input, string name, int inFeatures, int outFeatures)
    {
        string module = name["encoder.layer.0.".Length..];
        string weight = Weight(name + ".weight", module, inFeatures, outFeatures);
        string product = Node("MatMul", [input, weight]);
        string bias = Named(name + ".bias", outFeatures);
        if (module == AmbiguousBias)
        {
            string other = Weight(name + ".other", module, inFeatures, outFeatures);
            Node("Add", [bias, Node("MatMul", [input, other])]);
        }

        return Node("Add", [bias, module == DetachedBias ? "input_ids" : product]);
    }

    private string SplitHeads(string projection)
    {
        // [B, T, H] → [B, T, heads, head_dim], with B and T read at run time as exporters do.
        string batch = Node("Unsqueeze", [Node("Gather", [Node("Shape", [projection]), Int64Constant(0)]), Int64Constant(0)]);
        string time = Node("Unsqueeze", [Node("Gather", [Node("Shape", [projection]), Int64Constant(1)]), Int64Constant(0)]);
        string heads = "heads_" + _next++;
        _graph.Initializer.Add(new TensorProto { Name = heads, DataType = 7, Dims = { 1 }, Int64Data = { Heads } });
        string shape = Node("Concat", [batch, time, heads, Int64Constant(Hidden / Heads)], new AttributeProto
        {
            Name = "axis",
            Type = AttributeProto.Types.AttributeType.Int,
            I = 0,
        });
        return Node("Reshape", [projection, shape]);
    }

    private string LayerNorm(string input, string module)
    {
        string weight = Named(module + ".weight", Hidden);
        string bias = Named(module + ".bias", Hidden);
        if (UseLayerNormalizationOp)
        {
            return Node("LayerNormalization", [input, weight, bias], new AttributeProto
            {
                Name = "epsilon",
                Type = AttributeProto.Types.AttributeType.Float,
                F = Epsilon,
            });
        }

        string centered = Node("Sub", [input, Node("ReduceMean", [input])]);
        string variance = Node("ReduceMean", [Node("Pow", [centered, FloatConstant(2f)])]);
        string std = Node("Sqrt", [Node("Add", [variance, FloatConstant(Epsilon)])]);
        return Node("Add", [Node("Mul", [Node("Div", [centered, std]), weight]), bias]);
    }

    private string Weight(string hfName, string module, int inFeatures, int outFeatures)
    {
        string name = NameMatMulWeights ? NamePrefix + hfName : $"onnx::MatMul_{_next++}";
        float[] values = new float[inFeatures * outFeatures];
        for (int r = 0; r < inFeatures; r++)
        {
            for (int c = 0; c < outFeatures; c++)
            {
                values[(r * outFeatures) + c] = WeightValue(module, r, c);
            }
        }

        TensorProto tensor = FloatTensor(name, [inFeatures, outFeatures], values);
        if (WeightsAsConstantNodes)
        {
            tensor.Name = string.Empty;
            _graph.Node.Add(new NodeProto
            {
                OpType = "Constant",
                Name = "Constant_" + _next++,
                Output = { name },
                Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor } },
            });
        }
        else
        {
            _graph.Initializer.Add(tensor);
        }

        return name;
    }

    private string Named(string hfName, params int[] dims)
    {
        string name = NamePrefix + hfName;
        if (!Omit.Contains(hfName))
        {
            _graph.Initializer.Add(FloatTensor(name, dims, NamedValues(hfName, dims.Aggregate(1, (a, b) => a * b))));
        }

        return name;
    }

    private TensorProto FloatTensor(string name, int[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = 1 };
        tensor.Dims.AddRange(dims.Select(d => (long)d));
        if (UseFloatData)
        {
            tensor.FloatData.AddRange(values);
        }
        else
        {
            byte[] raw = new byte[values.Length * sizeof(float)];
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
            }

            tensor.RawData = ByteString.CopyFrom(raw);
        }

        return tensor;
    }

    private string FloatConstant(float value) =>
        ConstantNode(new TensorProto { DataType = 1, FloatData = { value } });

    private string Int64Constant(long value) =>
        ConstantNode(new TensorProto { DataType = 7, Dims = { 1 }, Int64Data = { value } });

    private string ConstantNode(TensorProto value) =>
        Node("Constant", [], new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = value });

    private string Node(string opType, string[] inputs, params AttributeProto[] attributes)
    {
        int id = _next++;
        string output = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _graph.Node.Add(new NodeProto
        {
            OpType = opType,
            Name = $"{opType}_{id}",
            Input = { inputs },
            Output = { output },
            Attribute = { attributes },
        });
        return output;
    }
}
