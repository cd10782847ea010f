using System.Runtime.InteropServices;
using FluentAssertions;
using NerClassify.Checkpoints.Onnx;
using Xunit;

namespace NerClassify.Tests.Checkpoints;

public sealed class OnnxBertImporterMiniLmTests
{
    private const int Hidden = 384;
    private const int Intermediate = 1536;

    // Importing reads ~90 MB; do it once for the class.
    private static readonly Lazy<OnnxBertWeights> Imported = new(() =>
    {
        using Stream stream = OnnxMiniLmResource.OpenModel();
        return OnnxBertImporter.Import(stream);
    });

    private static readonly Lazy<GraphProto> RawGraph = new(() =>
    {
        using Stream stream = OnnxMiniLmResource.OpenModel();
        return ModelProto.Parser.ParseFrom(stream).Graph;
    });

    [Fact]
    public void Import_MiniLm_InfersShape()
    {
        Imported.Value.Shape.Should().Be(new OnnxBertShape(
            HiddenSize: 384,
            NumLayers: 6,
            NumAttentionHeads: 12,
            IntermediateSize: 1536,
            VocabSize: 30522,
            MaxPositionEmbeddings: 512,
            TypeVocabSize: 2,
            LayerNormEps: 1e-12,
            HasPooler: true));
    }

    [Fact]
    public void Import_MiniLm_ProducesExactlyTheHuggingFaceKeysAndShapes()
    {
        var expected = new Dictionary<string, long[]>
        {
            ["embeddings.word_embeddings.weight"] = [30522, Hidden],
            ["embeddings.position_embeddings.weight"] = [512, Hidden],
            ["embeddings.token_type_embeddings.weight"] = [2, Hidden],
            ["embeddings.LayerNorm.weight"] = [Hidden],
            ["embeddings.LayerNorm.bias"] = [Hidden],
            ["pooler.dense.weight"] = [Hidden, Hidden],
            ["pooler.dense.bias"] = [Hidden],
        };
        for (int i = 0; i < 6; i++)
        {
            string p = $"encoder.layer.{i}.";
            foreach (string linear in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense" })
            {
                expected[p + linear + ".weight"] = [Hidden, Hidden];
                expected[p + linear + ".bias"] = [Hidden];
            }

            expected[p + "intermediate.dense.weight"] = [Intermediate, Hidden];
            expected[p + "intermediate.dense.bias"] = [Intermediate];
            expected[p + "output.dense.weight"] = [Hidden, Intermediate];
            expected[p + "output.dense.bias"] = [Hidden];
            foreach (string norm in new[] { "attention.output.LayerNorm", "output.LayerNorm" })
            {
                expected[p + norm + ".weight"] = [Hidden];
                expected[p + norm + ".bias"] = [Hidden];
            }
        }

        IReadOnlyDictionary<string, ImportedTensor> tensors = Imported.Value.Tensors;
        tensors.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach ((string name, long[] shape) in expected)
        {
            tensors[name].Shape.Should().Equal(shape, name);
            tensors[name].Values.Should().HaveCount((int)shape.Aggregate(1L, (a, b) => a * b), name);
        }
    }

    [Theory]
    [InlineData("encoder.layer.0.attention.self.query", Hidden, Hidden)]
    [InlineData("encoder.layer.3.attention.self.value", Hidden, Hidden)]
    [InlineData("encoder.layer.5.intermediate.dense", Hidden, Intermediate)]
    [InlineData("encoder.layer.2.output.dense", Intermediate, Hidden)]
    public void Import_MiniLm_TransposesUnnamedMatMulWeights(string module, int inFeatures, int outFeatures)
    {
        // Find the raw [in, out] initializer independently: the MatMul whose output the bias is added to.
        GraphProto graph = RawGraph.Value;
        NodeProto add = graph.Node.Single(n => n.OpType == "Add" && n.Input.Contains(module + ".bias"));
        string product = add.Input.Single(i => i != module + ".bias");
        NodeProto matMul = graph.Node.Single(n => n.OpType == "MatMul" && n.Output.Contains(product));
        TensorProto raw = graph.Initializer.Single(t => t.Name == matMul.Input[1]);
        raw.Dims.Should().Equal(inFeatures, outFeatures);
        float[] rawValues = MemoryMarshal.Cast<byte, float>(raw.RawData.Span).ToArray();

        ImportedTensor weight = Imported.Value.Tensors[module + ".weight"];

        weight.Shape.Should().Equal(outFeatures, inFeatures);
        for (int o = 0; o < outFeatures; o++)
        {
            for (int i = 0; i < inFeatures; i++)
            {
                if (weight.Values[(o * inFeatures) + i] != rawValues[(i * outFeatures) + o])
                {
                    Assert.Fail($"{module}.weight[{o}, {i}] differs from the ONNX initializer's [{i}, {o}].");
                }
            }
        }
    }

    [Fact]
    public void Import_MiniLm_KeepsGemmPoolerWeightUntransposed()
    {
        // The pooler is Gemm(transB = 1), so its named weight is already [out, in].
        TensorProto raw = RawGraph.Value.Initializer.Single(t => t.Name == "pooler.dense.weight");
        float[] rawValues = MemoryMarshal.Cast<byte, float>(raw.RawData.Span).ToArray();

        Imported.Value.Tensors["pooler.dense.weight"].Values.Should().Equal(rawValues);
    }

    [Fact]
    public void Import_MiniLm_CopiesNamedInitializersVerbatim()
    {
        TensorProto raw = RawGraph.Value.Initializer.Single(t => t.Name == "encoder.layer.4.output.LayerNorm.weight");
        float[] rawValues = MemoryMarshal.Cast<byte, float>(raw.RawData.Span).ToArray();

        Imported.Value.Tensors["encoder.layer.4.output.LayerNorm.weight"].Values.Should().Equal(rawValues);
    }
}
