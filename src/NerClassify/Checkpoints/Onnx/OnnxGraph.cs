namespace NerClassify.Checkpoints.Onnx;

/// <summary>
/// A read-only index over an ONNX <see cref="GraphProto"/>: constant values by name (initializers and
/// <c>Constant</c> nodes alike), the node producing each value, and the nodes consuming it.
/// <c>Identity</c> nodes are looked through, since exporters use them to alias shared weights.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<OnnxGraphUse>> _consumers = new(StringComparer.Ordinal);

    /// <summary>Indexes <paramref name="graph"/>.</summary>
    /// <param name="graph">The parsed graph.</param>
    /// <exception cref="InvalidDataException">A value name is defined twice.</exception>
    public OnnxGraph(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Nodes = graph.Node;
        foreach (TensorProto initializer in graph.Initializer)
        {
            AddConstant(initializer.Name, initializer);
        }

        foreach (NodeProto node in graph.Node)
        {
            foreach (string output in node.Output)
            {
                if (output.Length == 0)
                {
                    continue;
                }

                if (!_producers.TryAdd(output, node))
                {
                    throw new InvalidDataException($"ONNX value '{output}' is produced by more than one node.");
                }

                if (node.OpType == "Constant" && string.IsNullOrEmpty(node.Domain) && ConstantValue(node) is { } value)
                {
                    AddConstant(output, value);
                }
            }

            for (int i = 0; i < node.Input.Count; i++)
            {
                string input = node.Input[i];
                if (input.Length == 0)
                {
                    continue; // An omitted optional input.
                }

                if (!_consumers.TryGetValue(input, out List<OnnxGraphUse>? uses))
                {
                    uses = [];
                    _consumers.Add(input, uses);
                }

                uses.Add(new OnnxGraphUse(node, i));
            }
        }
    }

    /// <summary>Gets the graph's nodes in their stored (topological) order.</summary>
    public IReadOnlyList<NodeProto> Nodes { get; }

    /// <summary>Gets every constant value: initializers and the outputs of <c>Constant</c> nodes, by name.</summary>
    public IReadOnlyDictionary<string, TensorProto> Constants => _constants;

    /// <summary>Finds the attribute called <paramref name="name"/> on <paramref name="node"/>.</summary>
    /// <param name="node">The node.</param>
    /// <param name="name">The attribute name.</param>
    /// <returns>The attribute, or <see langword="null"/> when absent.</returns>
    public static AttributeProto? FindAttribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name);

    /// <summary>Follows <c>Identity</c> nodes back from <paramref name="name"/> to the value they copy.</summary>
    /// <param name="name">A value name.</param>
    /// <returns>The name of the first value up the chain that is not an <c>Identity</c> output.</returns>
    public string Unalias(string name)
    {
        // Bounded by the node count, so a malformed cyclic graph cannot loop forever.
        for (int hops = 0; hops <= Nodes.Count; hops++)
        {
            if (_constants.ContainsKey(name)
                || !_producers.TryGetValue(name, out NodeProto? producer)
                || producer.OpType != "Identity"
                || producer.Input.Count == 0)
            {
                return name;
            }

            name = producer.Input[0];
        }

        throw new InvalidDataException($"ONNX value '{name}' is part of an Identity cycle.");
    }

    /// <summary>Gets the constant behind <paramref name="name"/>, looking through <c>Identity</c> nodes.</summary>
    /// <param name="name">A value name.</param>
    /// <param name="constantName">The name of the constant itself, once unaliased.</param>
    /// <returns>The tensor, or <see langword="null"/> when the value is computed at run time.</returns>
    public TensorProto? FindConstant(string name, out string constantName)
    {
        constantName = Unalias(name);
        return _constants.GetValueOrDefault(constantName);
    }

    /// <summary>Gets the node computing <paramref name="name"/>, looking through <c>Identity</c> nodes.</summary>
    /// <param name="name">A value name.</param>
    /// <returns>The producing node, or <see langword="null"/> for constants and graph inputs.</returns>
    public NodeProto? FindProducer(string name)
    {
        string source = Unalias(name);
        return _constants.ContainsKey(source) ? null : _producers.GetValueOrDefault(source);
    }

    /// <summary>Lists the nodes reading <paramref name="name"/>, directly or through <c>Identity</c> copies.</summary>
    /// <param name="name">A value name.</param>
    /// <returns>Each consuming node with the input slot it reads the value into; never an <c>Identity</c>.</returns>
    public IReadOnlyList<OnnxGraphUse> FindConsumers(string name)
    {
        var found = new List<OnnxGraphUse>();
        var pending = new Stack<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        pending.Push(name);
        while (pending.TryPop(out string? current))
        {
            if (!seen.Add(current) || !_consumers.TryGetValue(current, out List<OnnxGraphUse>? uses))
            {
                continue;
            }

            foreach (OnnxGraphUse use in uses)
            {
                if (use.Node.OpType == "Identity")
                {
                    foreach (string output in use.Node.Output)
                    {
                        pending.Push(output);
                    }
                }
                else
                {
                    found.Add(use);
                }
            }
        }

        return found;
    }

    // A Constant node carries its value in exactly one attribute; only the numeric kinds matter here.
    private static TensorProto? ConstantValue(NodeProto node)
    {
        foreach (AttributeProto attribute in node.Attribute)
        {
            switch (attribute.Name)
            {
                case "value" when attribute.T is not null:
                    return attribute.T;
                case "value_float":
                    return new TensorProto { DataType = 1, FloatData = { attribute.F } };
                case "value_floats":
                    return new TensorProto { DataType = 1, Dims = { attribute.Floats.Count }, FloatData = { attribute.Floats } };
                case "value_int":
                    return new TensorProto { DataType = 7, Int64Data = { attribute.I } };
                case "value_ints":
                    return new TensorProto { DataType = 7, Dims = { attribute.Ints.Count }, Int64Data = { attribute.Ints } };
            }
        }

        return null;
    }

    private void AddConstant(string name, TensorProto tensor)
    {
        if (name.Length > 0 && !_constants.TryAdd(name, tensor))
        {
            throw new InvalidDataException($"ONNX constant '{name}' is defined more than once.");
        }
    }
}
