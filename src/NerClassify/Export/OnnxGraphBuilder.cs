using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using NerClassify.Checkpoints.Onnx;

namespace NerClassify.Export;

/// <summary>
/// Appends nodes, initializers and graph inputs/outputs to an ONNX <see cref="GraphProto"/> with the generated
/// protobuf classes. Nodes must be added in topological order; small constants are shared initializers.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
    private int _nodeCount;

    public OnnxGraphBuilder(string name) => Graph = new GraphProto { Name = name };

    /// <summary>The graph built so far.</summary>
    public GraphProto Graph { get; }

    /// <summary>Declares a graph input; a dimension is a symbol (string) or a size (long).</summary>
    public void AddInput(string name, TensorProto.Types.DataType type, params object[] dims) => Graph.Input.Add(ValueInfo(name, type, dims));

    /// <summary>Declares a graph output; a dimension is a symbol (string) or a size (long).</summary>
    public void AddOutput(string name, TensorProto.Types.DataType type, params object[] dims) => Graph.Output.Add(ValueInfo(name, type, dims));

    /// <summary>Adds a float32 initializer (little-endian raw data) and returns its name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        Graph.Initializer.Add(new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            Dims = { dims },
            RawData = UnsafeByteOperations.UnsafeWrap(bytes),
        });
        return name;
    }

    /// <summary>A shared float32 scalar constant.</summary>
    public string FloatScalar(float value)
    {
        string key = "const_f_" + value.ToString("R", CultureInfo.InvariantCulture);
        if (!_constants.TryGetValue(key, out string? name))
        {
            name = AddInitializer(key, [value]);
            _constants[key] = name;
        }

        return name;
    }

    /// <summary>A shared int64 constant: a scalar when <paramref name="scalar"/>, else a 1-D tensor.</summary>
    public string Int64s(long[] values, bool scalar = false)
    {
        string key = (scalar ? "const_i_" : "const_i_vec_") + string.Join('_', values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        if (!_constants.TryGetValue(key, out string? name))
        {
            var bytes = new byte[values.Length * sizeof(long)];
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
            }

            var tensor = new TensorProto { Name = key, DataType = (int)TensorProto.Types.DataType.Int64, RawData = UnsafeByteOperations.UnsafeWrap(bytes) };
            if (!scalar)
            {
                tensor.Dims.Add(values.Length);
            }

            Graph.Initializer.Add(tensor);
            _constants[key] = name = key;
        }

        return name;
    }

    /// <summary>Adds a one-output node and returns the output's name (<paramref name="output"/>, or one derived from <paramref name="scope"/>).</summary>
    public string Node(string opType, string scope, string[] inputs, string? output = null, params AttributeProto[] attributes)
    {
        int id = _nodeCount++;
        output ??= $"{scope}/{opType}_{id}";
        var node = new NodeProto { Name = $"{scope}/{opType}_{id}", OpType = opType, Input = { inputs }, Output = { output } };
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>An int attribute.</summary>
    public static AttributeProto Int(string name, long value) => new() { Name = name, I = value, Type = AttributeProto.Types.AttributeType.Int };

    /// <summary>An ints attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values) => new() { Name = name, Ints = { values }, Type = AttributeProto.Types.AttributeType.Ints };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Float(string name, float value) => new() { Name = name, F = value, Type = AttributeProto.Types.AttributeType.Float };

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (object dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"A dimension must be a symbol or a size; got {dim.GetType().Name}.", nameof(dims)),
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
