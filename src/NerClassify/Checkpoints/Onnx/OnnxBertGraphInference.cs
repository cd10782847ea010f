using System.Globalization;

namespace NerClassify.Checkpoints.Onnx;

/// <summary>
/// Recovers the BERT hyper-parameters that only the graph, not the weights, encodes: the number of
/// attention heads and the LayerNorm epsilon.
/// </summary>
internal static class OnnxBertGraphInference
{
    /// <summary>
    /// Infers the number of attention heads: from a fused attention node's <c>num_heads</c> attribute, or
    /// else from the Reshape that splits a query/key/value projection into <c>[B, T, heads, head_dim]</c>.
    /// </summary>
    /// <param name="graph">The indexed graph.</param>
    /// <param name="hiddenSize">The hidden width; heads × head_dim must equal it.</param>
    /// <param name="attentionBiasNames">The ONNX names of the query/key/value biases, which locate the split.</param>
    /// <returns>The number of heads.</returns>
    /// <exception cref="InvalidDataException">No split was found, or different splits disagree.</exception>
    public static int InferNumAttentionHeads(OnnxGraph graph, int hiddenSize, IEnumerable<string> attentionBiasNames)
    {
        var fused = graph.Nodes
            .Select(n => OnnxGraph.FindAttribute(n, "num_heads"))
            .Where(a => a is not null)
            .Select(a => a!.I)
            .Distinct()
            .ToList();
        if (fused.Count > 0)
        {
            return (int)Single(fused, "num_heads attributes of the fused attention nodes");
        }

        var projectionOutputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (string bias in attentionBiasNames)
        {
            foreach (OnnxGraphUse use in graph.FindConsumers(bias))
            {
                projectionOutputs.UnionWith(use.Node.Output);
            }
        }

        var preferred = new List<long>();
        var others = new List<long>();
        foreach (NodeProto node in graph.Nodes)
        {
            if (node.OpType != "Reshape" || node.Input.Count < 2)
            {
                continue;
            }

            long?[] trailing = TrailingShapeValues(graph, node.Input[1]);
            if (trailing.Length < 2 || trailing[^2] is not > 0 || trailing[^1] is not > 0)
            {
                continue;
            }

            long heads = trailing[^2]!.Value;
            if (heads * trailing[^1]!.Value != hiddenSize)
            {
                continue;
            }

            string source = graph.Unalias(node.Input[0]);
            (projectionOutputs.Contains(source) ? preferred : others).Add(heads);
        }

        List<long> candidates = (preferred.Count > 0 ? preferred : others).Distinct().ToList();
        if (candidates.Count == 0)
        {
            throw new InvalidDataException(
                "Cannot infer the number of attention heads: the ONNX graph has neither a num_heads attribute nor a "
                + $"Reshape to [.., heads, head_dim] with heads × head_dim = {hiddenSize}.");
        }

        return (int)Single(candidates, "attention-head splits (Reshape targets)");
    }

    /// <summary>
    /// Infers the LayerNorm epsilon: from the <c>epsilon</c> attribute of LayerNormalization nodes, or, in a
    /// decomposed LayerNorm (ReduceMean, Sub, Pow, ReduceMean, Add ε, Sqrt, Div), from the constant added just
    /// before the square root.
    /// </summary>
    /// <param name="graph">The indexed graph.</param>
    /// <returns>The epsilon, as the decimal value the float32 constant was written from (e.g. exactly 1e-12).</returns>
    /// <exception cref="InvalidDataException">No LayerNorm was found, or LayerNorms disagree.</exception>
    public static double InferLayerNormEps(OnnxGraph graph)
    {
        var found = new List<float>();
        foreach (NodeProto node in graph.Nodes)
        {
            if (node.OpType.EndsWith("LayerNormalization", StringComparison.Ordinal))
            {
                // The ONNX LayerNormalization default; contrib ops (SkipLayerNormalization, …) always set it.
                found.Add(OnnxGraph.FindAttribute(node, "epsilon")?.F ?? 1e-5f);
            }
            else if (DecomposedEpsilon(graph, node) is { } epsilon)
            {
                found.Add(epsilon);
            }
        }

        List<float> distinct = found.Distinct().ToList();
        if (distinct.Count == 0)
        {
            throw new InvalidDataException(
                "Cannot infer the LayerNorm epsilon: the ONNX graph has no LayerNormalization node and no "
                + "decomposed LayerNorm (ReduceMean → Add ε → Sqrt).");
        }

        float value = Single(distinct, "LayerNorm epsilons");

        // Float32 cannot hold 1e-12 exactly; the shortest round-trip string recovers the value that was exported.
        return double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    // Add(ReduceMean(..), ε) whose sum feeds a Sqrt: the variance + ε step of a decomposed LayerNorm.
    private static float? DecomposedEpsilon(OnnxGraph graph, NodeProto node)
    {
        if (node.OpType != "Add" || node.Input.Count != 2 || node.Output.Count != 1
            || !graph.FindConsumers(node.Output[0]).Any(u => u.Node.OpType == "Sqrt"))
        {
            return null;
        }

        for (int i = 0; i < 2; i++)
        {
            if (graph.FindProducer(node.Input[1 - i])?.OpType == "ReduceMean"
                && graph.FindConstant(node.Input[i], out string name) is { } constant
                && OnnxTensorDecoder.TryReadFloatScalar(constant, name) is { } epsilon)
            {
                return epsilon;
            }
        }

        return null;
    }

    // The known trailing entries of a shape operand: a constant, or a Concat whose last parts are constants
    // (exporters build [B, T, heads, head_dim] from two run-time dims and two constants). Unknowns are null.
    private static long?[] TrailingShapeValues(OnnxGraph graph, string shapeName)
    {
        if (graph.FindConstant(shapeName, out string constantName) is { } constant)
        {
            return OnnxTensorDecoder.TryReadInt64s(constant, constantName)?.Select(v => (long?)v).ToArray() ?? [];
        }

        NodeProto? concat = graph.FindProducer(shapeName);
        if (concat?.OpType != "Concat")
        {
            return [];
        }

        var values = new List<long?>();
        for (int i = concat.Input.Count - 1; i >= 0; i--)
        {
            if (graph.FindConstant(concat.Input[i], out string partName) is { } part)
            {
                long[]? partValues = OnnxTensorDecoder.TryReadInt64s(part, partName);
                if (partValues is null)
                {
                    break;
                }

                values.InsertRange(0, partValues.Select(v => (long?)v));
            }
            else if (graph.FindProducer(concat.Input[i])?.OpType == "Unsqueeze")
            {
                values.Insert(0, null); // An unsqueezed run-time scalar: one unknown entry.
            }
            else
            {
                break;
            }
        }

        return [.. values];
    }

    private static T Single<T>(List<T> distinct, string what)
    {
        if (distinct.Count > 1)
        {
            throw new InvalidDataException(
                $"The ONNX graph is ambiguous: its {what} disagree ({string.Join(", ", distinct)}).");
        }

        return distinct[0];
    }
}
