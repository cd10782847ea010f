using Google.Protobuf;

namespace NerClassify.Checkpoints.Onnx;

/// <summary>
/// Imports the weights of a BERT encoder exported to ONNX (by <c>torch.onnx</c>, sentence-transformers or
/// Optimum) into Hugging Face <c>BertModel</c> parameter names and layouts.
/// </summary>
/// <remarks>
/// Named initializers give the embeddings, LayerNorms, biases and pooler. Exporters often strip the names
/// of Linear weights (<c>onnx::MatMul_1234</c>, or just a number); such a weight is found by walking back from
/// its module's named bias: the bias's <c>Add</c> sums a <c>MatMul</c> whose right operand is the weight.
/// ONNX MatMul weights are <c>[in, out]</c> and are transposed to the <c>nn.Linear</c> layout <c>[out, in]</c>.
/// </remarks>
internal static class OnnxBertImporter
{
    /// <summary>Reads an ONNX BERT encoder from <paramref name="onnxModel"/>.</summary>
    /// <param name="onnxModel">The serialized <c>ModelProto</c>; read to its end but not disposed.</param>
    /// <returns>The inferred shape and the parameters keyed by Hugging Face names without <c>bert.</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="onnxModel"/> is null.</exception>
    /// <exception cref="InvalidDataException">
    /// The stream is not an ONNX model, or a required tensor is missing, ambiguous or of the wrong shape;
    /// the message names the tensor.
    /// </exception>
    public static OnnxBertWeights Import(Stream onnxModel)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        ModelProto model = Parse(onnxModel);
        var graph = new OnnxGraph(model.Graph
            ?? throw new InvalidDataException("The ONNX model has no graph."));

        Dictionary<string, string> named = NamedParameters(graph);
        int numLayers = CountLayers(named);
        bool hasPooler = named.ContainsKey(OnnxBertParameterNames.PoolerBias)
            || named.ContainsKey(OnnxBertParameterNames.PoolerWeight);
        ThrowIfMissing(named, RequiredNamedParameters(numLayers, hasPooler));

        var tensors = new Dictionary<string, ImportedTensor>(StringComparer.Ordinal);
        foreach ((string name, string onnxName) in named)
        {
            if (!IsLinearWeight(name))
            {
                tensors.Add(name, Read(graph, onnxName, transpose: false));
            }
        }

        foreach (string bias in tensors.Keys.Where(OnnxBertParameterNames.IsLinearBias).ToList())
        {
            string weight = OnnxBertParameterNames.WeightOf(bias);
            (string onnxName, bool transpose) = named.TryGetValue(weight, out string? weightOnnxName)
                ? (weightOnnxName, ReadsAsInOut(graph, weight, weightOnnxName))
                : FindWeightFromBias(graph, weight, named[bias]);
            tensors.Add(weight, Read(graph, onnxName, transpose));
        }

        OnnxBertShape shape = InferShape(graph, tensors, named, numLayers, hasPooler);
        ThrowIfMisshapen(tensors, shape);
        return new OnnxBertWeights(shape, tensors.AsReadOnly());
    }

    /// <summary>
    /// Tells whether <paramref name="name"/> is the bias of one of the six Linear layers of an encoder layer
    /// (query, key, value, attention output, intermediate, output) or of the pooler, i.e. a bias whose
    /// <c>Add</c> locates an unnamed MatMul weight.
    /// </summary>
    /// <param name="name">A Hugging Face parameter name without the <c>bert.</c> prefix.</param>
    /// <returns><see langword="true"/> for a Linear bias; <see langword="false"/> for LayerNorm biases and the rest.</returns>
    public static bool IsLinearBias(string name) => OnnxBertParameterNames.IsLinearBias(name);

    private static ModelProto Parse(Stream stream)
    {
        try
        {
            using var input = new CodedInputStream(stream, leaveOpen: true);
            return ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException("The stream is not a valid ONNX model: " + ex.Message, ex);
        }
    }

    // Hugging Face name → ONNX constant name, for every constant whose name is a BertModel parameter.
    private static Dictionary<string, string> NamedParameters(OnnxGraph graph)
    {
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string onnxName in graph.Constants.Keys)
        {
            if (!OnnxBertParameterNames.TryNormalize(onnxName, out string name))
            {
                continue;
            }

            if (named.TryGetValue(name, out string? other))
            {
                throw new InvalidDataException(
                    $"The ONNX model is ambiguous: both '{other}' and '{onnxName}' map to the BERT parameter '{name}'.");
            }

            named.Add(name, onnxName);
        }

        return named;
    }

    private static int CountLayers(Dictionary<string, string> named)
    {
        int count = 0;
        foreach (string name in named.Keys)
        {
            if (OnnxBertParameterNames.TryGetLayer(name, out int layer))
            {
                count = Math.Max(count, layer + 1);
            }
        }

        if (count == 0)
        {
            throw new InvalidDataException(
                "The ONNX model has no BERT encoder layers: no initializer is named like 'encoder.layer.0.attention.self.query.bias'.");
        }

        return count;
    }

    // Everything except the Linear weights, which may be unnamed and are resolved through their biases.
    private static IEnumerable<string> RequiredNamedParameters(int numLayers, bool hasPooler)
    {
        yield return OnnxBertParameterNames.WordEmbeddings;
        yield return OnnxBertParameterNames.PositionEmbeddings;
        yield return OnnxBertParameterNames.TokenTypeEmbeddings;
        yield return OnnxBertParameterNames.EmbeddingsLayerNormWeight;
        yield return OnnxBertParameterNames.EmbeddingsLayerNormBias;
        for (int layer = 0; layer < numLayers; layer++)
        {
            foreach (string linear in OnnxBertParameterNames.LayerLinears)
            {
                yield return OnnxBertParameterNames.Layer(layer, linear, "bias");
            }

            foreach (string norm in OnnxBertParameterNames.LayerNorms)
            {
                yield return OnnxBertParameterNames.Layer(layer, norm, "weight");
                yield return OnnxBertParameterNames.Layer(layer, norm, "bias");
            }
        }

        if (hasPooler)
        {
            yield return OnnxBertParameterNames.PoolerBias;
        }
    }

    private static void ThrowIfMissing(Dictionary<string, string> named, IEnumerable<string> required)
    {
        List<string> missing = required.Where(name => !named.ContainsKey(name)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"The ONNX model lacks {missing.Count} required BERT tensor(s): {string.Join(", ", missing)}.");
        }
    }

    private static bool IsLinearWeight(string name) =>
        name.EndsWith(".weight", StringComparison.Ordinal)
        && OnnxBertParameterNames.IsLinearBias(string.Concat(name.AsSpan(0, name.Length - "weight".Length), "bias"));

    // A named Linear weight keeps the layout of the op that reads it: MatMul (and Gemm without transB)
    // take [in, out], which must be transposed; Gemm with transB, or a Transpose feeding MatMul, take [out, in].
    private static bool ReadsAsInOut(OnnxGraph graph, string name, string onnxName)
    {
        var layouts = graph.FindConsumers(onnxName)
            .Select(use => use switch
            {
                { Node.OpType: "MatMul", InputIndex: 1 } => true,
                { Node.OpType: "Gemm", InputIndex: 1 } => OnnxGraph.FindAttribute(use.Node, "transB")?.I is not 1,
                _ => (bool?)null,
            })
            .Where(transpose => transpose is not null)
            .Distinct()
            .ToList();
        if (layouts.Count > 1)
        {
            throw new InvalidDataException(
                $"The ONNX weight '{onnxName}' ({name}) is ambiguous: it is read both as [in, out] and as [out, in].");
        }

        return layouts.Count == 1 && layouts[0]!.Value;
    }

    // Walks back from the bias's Add (or Gemm) to the MatMul computing the other addend and takes its
    // constant right operand. Returns the weight's ONNX name and whether it is [in, out] and needs transposing.
    private static (string OnnxName, bool Transpose) FindWeightFromBias(OnnxGraph graph, string name, string biasOnnxName)
    {
        var candidates = new HashSet<(string OnnxName, bool Transpose)>();
        foreach (OnnxGraphUse use in graph.FindConsumers(biasOnnxName))
        {
            NodeProto node = use.Node;
            if (node.OpType == "Gemm" && use.InputIndex == 2 && node.Input.Count >= 2
                && graph.FindConstant(node.Input[1], out string gemmWeight) is not null)
            {
                candidates.Add((gemmWeight, OnnxGraph.FindAttribute(node, "transB")?.I is not 1));
            }
            else if (node.OpType == "Add" && node.Input.Count == 2
                && graph.FindProducer(node.Input[1 - use.InputIndex]) is { OpType: "MatMul" } matMul
                && matMul.Input.Count == 2
                && MatMulWeight(graph, matMul.Input[1]) is { } weight)
            {
                candidates.Add(weight);
            }
        }

        return candidates.Count switch
        {
            1 => candidates.First(),
            0 => throw new InvalidDataException(
                $"The ONNX model lacks the BERT tensor '{name}': it is not a named initializer, and no MatMul with a "
                + $"constant weight feeds the Add of the bias '{biasOnnxName}'."),
            _ => throw new InvalidDataException(
                $"The ONNX model is ambiguous for the BERT tensor '{name}': the bias '{biasOnnxName}' is added to "
                + $"several MatMul weights ({string.Join(", ", candidates.Select(c => c.OnnxName).Order(StringComparer.Ordinal))})."),
        };
    }

    // The right operand of a MatMul: a constant [in, out], or Transpose([out, in]) of a constant.
    private static (string OnnxName, bool Transpose)? MatMulWeight(OnnxGraph graph, string operand)
    {
        if (graph.FindConstant(operand, out string constantName) is not null)
        {
            return (constantName, true);
        }

        if (graph.FindProducer(operand) is { OpType: "Transpose" } transpose
            && OnnxGraph.FindAttribute(transpose, "perm") is null or { Ints: [1, 0] }
            && graph.FindConstant(transpose.Input[0], out string transposedName) is not null)
        {
            return (transposedName, false);
        }

        return null;
    }

    private static ImportedTensor Read(OnnxGraph graph, string onnxName, bool transpose)
    {
        TensorProto tensor = graph.Constants[onnxName];
        long[] shape = OnnxTensorDecoder.Dims(tensor, onnxName);
        float[] values = OnnxTensorDecoder.ReadFloats(tensor, onnxName);
        if (!transpose)
        {
            return new ImportedTensor(shape, values);
        }

        if (shape.Length != 2)
        {
            throw new InvalidDataException(
                $"The ONNX MatMul weight '{onnxName}' has {shape.Length} dimensions; a 2-D [in, out] matrix was expected.");
        }

        // [in, out] → [out, in]
        int rows = (int)shape[0];
        int columns = (int)shape[1];
        var transposed = new float[values.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                transposed[(c * rows) + r] = values[(r * columns) + c];
            }
        }

        return new ImportedTensor([columns, rows], transposed);
    }

    private static OnnxBertShape InferShape(
        OnnxGraph graph,
        Dictionary<string, ImportedTensor> tensors,
        Dictionary<string, string> named,
        int numLayers,
        bool hasPooler)
    {
        long[] words = tensors[OnnxBertParameterNames.WordEmbeddings].Shape;
        if (words.Length != 2)
        {
            throw new InvalidDataException(
                $"The BERT tensor '{OnnxBertParameterNames.WordEmbeddings}' has shape [{string.Join(", ", words)}]; "
                + "a 2-D [vocab, hidden] table was expected.");
        }

        int hiddenSize = (int)words[1];
        IEnumerable<string> attentionBiases = Enumerable.Range(0, numLayers)
            .SelectMany(layer => OnnxBertParameterNames.LayerLinears.Take(3)
                .Select(linear => named[OnnxBertParameterNames.Layer(layer, linear, "bias")]));
        return new OnnxBertShape(
            HiddenSize: hiddenSize,
            NumLayers: numLayers,
            NumAttentionHeads: OnnxBertGraphInference.InferNumAttentionHeads(graph, hiddenSize, attentionBiases),
            IntermediateSize: (int)tensors[OnnxBertParameterNames.Layer(0, "intermediate.dense", "bias")].Shape[0],
            VocabSize: (int)words[0],
            MaxPositionEmbeddings: (int)tensors[OnnxBertParameterNames.PositionEmbeddings].Shape[0],
            TypeVocabSize: (int)tensors[OnnxBertParameterNames.TokenTypeEmbeddings].Shape[0],
            LayerNormEps: OnnxBertGraphInference.InferLayerNormEps(graph),
            HasPooler: hasPooler);
    }

    private static void ThrowIfMisshapen(Dictionary<string, ImportedTensor> tensors, OnnxBertShape shape)
    {
        long h = shape.HiddenSize;
        long i = shape.IntermediateSize;
        var expected = new Dictionary<string, long[]>(StringComparer.Ordinal)
        {
            [OnnxBertParameterNames.WordEmbeddings] = [shape.VocabSize, h],
            [OnnxBertParameterNames.PositionEmbeddings] = [shape.MaxPositionEmbeddings, h],
            [OnnxBertParameterNames.TokenTypeEmbeddings] = [shape.TypeVocabSize, h],
            [OnnxBertParameterNames.EmbeddingsLayerNormWeight] = [h],
            [OnnxBertParameterNames.EmbeddingsLayerNormBias] = [h],
        };
        for (int layer = 0; layer < shape.NumLayers; layer++)
        {
            foreach (string linear in OnnxBertParameterNames.LayerLinears)
            {
                long output = linear == "intermediate.dense" ? i : h;
                long input = linear == "output.dense" ? i : h;
                expected[OnnxBertParameterNames.Layer(layer, linear, "weight")] = [output, input];
                expected[OnnxBertParameterNames.Layer(layer, linear, "bias")] = [output];
            }

            foreach (string norm in OnnxBertParameterNames.LayerNorms)
            {
                expected[OnnxBertParameterNames.Layer(layer, norm, "weight")] = [h];
                expected[OnnxBertParameterNames.Layer(layer, norm, "bias")] = [h];
            }
        }

        if (shape.HasPooler)
        {
            expected[OnnxBertParameterNames.PoolerWeight] = [h, h];
            expected[OnnxBertParameterNames.PoolerBias] = [h];
        }

        foreach ((string name, long[] dims) in expected)
        {
            long[] actual = tensors[name].Shape;
            if (!actual.AsSpan().SequenceEqual(dims))
            {
                throw new InvalidDataException(
                    $"The BERT tensor '{name}' has shape [{string.Join(", ", actual)}]; [{string.Join(", ", dims)}] was expected.");
            }
        }
    }
}
