using FluentAssertions;
using NerClassify.Checkpoints.Onnx;
using Xunit;

namespace NerClassify.Tests.Checkpoints;

public sealed class OnnxBertImporterTinyGraphTests
{
    private const int H = OnnxTinyBertModelBuilder.Hidden;
    private const int I = OnnxTinyBertModelBuilder.Intermediate;

    [Fact]
    public void Import_TinyGraph_InfersShape()
    {
        OnnxBertWeights weights = Import(new OnnxTinyBertModelBuilder());

        weights.Shape.Should().Be(new OnnxBertShape(
            HiddenSize: H,
            NumLayers: 1,
            NumAttentionHeads: OnnxTinyBertModelBuilder.Heads,
            IntermediateSize: I,
            VocabSize: OnnxTinyBertModelBuilder.Vocab,
            MaxPositionEmbeddings: OnnxTinyBertModelBuilder.MaxPositions,
            TypeVocabSize: OnnxTinyBertModelBuilder.TypeVocab,
            LayerNormEps: 1e-12,
            HasPooler: false));
    }

    [Fact]
    public void Import_TinyGraphWithoutPooler_HasNoPoolerKeys()
    {
        OnnxBertWeights weights = Import(new OnnxTinyBertModelBuilder());

        weights.Tensors.Should().HaveCount(5 + 16);
        weights.Tensors.Keys.Should().NotContain(key => key.StartsWith("pooler.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("attention.self.query", H, H)]
    [InlineData("attention.output.dense", H, H)]
    [InlineData("intermediate.dense", H, I)]
    [InlineData("output.dense", I, H)]
    public void Import_UnnamedMatMulWeight_IsMatchedThroughBiasAndTransposed(string module, int inFeatures, int outFeatures)
    {
        OnnxBertWeights weights = Import(new OnnxTinyBertModelBuilder());

        ShouldBeTransposedWeight(weights.Tensors[$"encoder.layer.0.{module}.weight"], module, inFeatures, outFeatures);
    }

    [Fact]
    public void Import_FloatData_DecodesLikeRawData()
    {
        OnnxBertWeights raw = Import(new OnnxTinyBertModelBuilder());
        OnnxBertWeights typed = Import(new OnnxTinyBertModelBuilder { UseFloatData = true });

        typed.Tensors.Keys.Should().BeEquivalentTo(raw.Tensors.Keys);
        foreach ((string name, ImportedTensor tensor) in raw.Tensors)
        {
            typed.Tensors[name].Shape.Should().Equal(tensor.Shape, name);
            typed.Tensors[name].Values.Should().Equal(tensor.Values, name);
        }
    }

    [Fact]
    public void Import_NamedInitializer_IsCopiedVerbatim()
    {
        OnnxBertWeights weights = Import(new OnnxTinyBertModelBuilder());

        const string name = "encoder.layer.0.intermediate.dense.bias";
        weights.Tensors[name].Shape.Should().Equal(I);
        weights.Tensors[name].Values.Should().Equal(OnnxTinyBertModelBuilder.NamedValues(name, I));
    }

    [Fact]
    public void Import_WeightsInConstantNodes_AreMatchedAndTransposed()
    {
        OnnxBertWeights weights = Import(new OnnxTinyBertModelBuilder { WeightsAsConstantNodes = true });

        ShouldBeTransposedWeight(weights.Tensors["encoder.layer.0.intermediate.dense.weight"], "intermediate.dense", H, I);
    }

    [Fact]
    public void Import_MatMulWeightWithHuggingFaceName_IsTakenAndTransposed()
    {
        OnnxBertWeights weights = Import(new OnnxTinyBertModelBuilder { NameMatMulWeights = true, NamePrefix = "bert." });

        ShouldBeTransposedWeight(weights.Tensors["encoder.layer.0.output.dense.weight"], "output.dense", I, H);
        weights.Tensors.Keys.Should().NotContain(key => key.StartsWith("bert.", StringComparison.Ordinal));
    }

    [Fact]
    public void Import_GemmPoolerWithTransB_KeepsWeightLayout()
    {
        OnnxBertWeights weights = Import(new OnnxTinyBertModelBuilder { IncludePooler = true });

        weights.Shape.HasPooler.Should().BeTrue();
        weights.Tensors["pooler.dense.weight"].Values
            .Should().Equal(OnnxTinyBertModelBuilder.NamedValues("pooler.dense.weight", H * H));
    }

    [Fact]
    public void Import_LayerNormalizationOp_ReadsEpsilonAttribute()
    {
        OnnxBertWeights weights = Import(new OnnxTinyBertModelBuilder { UseLayerNormalizationOp = true, Epsilon = 1e-5f });

        weights.Shape.LayerNormEps.Should().Be(1e-5);
    }

    [Fact]
    public void Import_DecomposedLayerNorm_ReadsEpsilonConstant()
    {
        OnnxBertWeights weights = Import(new OnnxTinyBertModelBuilder { Epsilon = 1e-7f });

        weights.Shape.LayerNormEps.Should().Be(1e-7);
    }

    [Fact]
    public void Import_MissingBias_ThrowsNamingBias()
    {
        var builder = new OnnxTinyBertModelBuilder { Omit = new HashSet<string> { "encoder.layer.0.attention.self.key.bias" } };

        Action act = () => Import(builder);

        act.Should().Throw<InvalidDataException>().WithMessage("*encoder.layer.0.attention.self.key.bias*");
    }

    [Fact]
    public void Import_MissingWordEmbeddings_ThrowsNamingEmbeddings()
    {
        var builder = new OnnxTinyBertModelBuilder { Omit = new HashSet<string> { "embeddings.word_embeddings.weight" } };

        Action act = () => Import(builder);

        act.Should().Throw<InvalidDataException>().WithMessage("*embeddings.word_embeddings.weight*");
    }

    [Fact]
    public void Import_BiasNotAddedToMatMul_ThrowsNamingMissingWeight()
    {
        var builder = new OnnxTinyBertModelBuilder { DetachedBias = "attention.self.value" };

        Action act = () => Import(builder);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("*encoder.layer.0.attention.self.value.weight*encoder.layer.0.attention.self.value.bias*");
    }

    [Fact]
    public void Import_BiasAddedToTwoMatMuls_ThrowsAmbiguous()
    {
        var builder = new OnnxTinyBertModelBuilder { AmbiguousBias = "intermediate.dense" };

        Action act = () => Import(builder);

        act.Should().Throw<InvalidDataException>()
            .WithMessage("*ambiguous*encoder.layer.0.intermediate.dense.weight*encoder.layer.0.intermediate.dense.bias*");
    }

    [Fact]
    public void Import_NotAnOnnxModel_ThrowsInvalidData()
    {
        using var stream = new MemoryStream([0xFF, 0xFF, 0xFF, 0xFF]);

        Action act = () => OnnxBertImporter.Import(stream);

        act.Should().Throw<InvalidDataException>();
    }

    [Fact]
    public void Import_CallerStream_IsLeftOpen()
    {
        using MemoryStream stream = new OnnxTinyBertModelBuilder().ToStream();

        OnnxBertImporter.Import(stream);

        stream.CanRead.Should().BeTrue();
    }

    private static OnnxBertWeights Import(OnnxTinyBertModelBuilder builder)
    {
        using MemoryStream stream = builder.ToStream();
        return OnnxBertImporter.Import(stream);
    }

    private static void ShouldBeTransposedWeight(ImportedTensor weight, string module, int inFeatures, int outFeatures)
    {
        weight.Shape.Should().Equal(outFeatures, inFeatures);
        var expected = new float[outFeatures * inFeatures];
        for (int o = 0; o < outFeatures; o++)
        {
            for (int i = 0; i < inFeatures; i++)
            {
                expected[(o * inFeatures) + i] = OnnxTinyBertModelBuilder.WeightValue(module, i, o);
            }
        }

        weight.Values.Should().Equal(expected);
    }
}
