using FluentAssertions;
using Google.Protobuf;
using NerClassify.Checkpoints.Onnx;

namespace NerClassify.Tests.Checkpoints;

/// <summary>ONNX tensors whose dimensions do not fit are refused naming the tensor (issue 17, item 16).</summary>
public sealed class OnnxBertImporterHostileTests
{
    [Fact]
    public void Import_DimsWhoseProductWrapsToZero_NamesTheTensorAndDimension()
    {
        // 2^32 x 2^32 wraps to 0 elements in 64-bit arithmetic, and (int)2^32 is 0.
        ModelProto model = new OnnxTinyBertModelBuilder().Build();
        TensorProto words = model.Graph.Initializer.Single(t => t.Name.EndsWith("word_embeddings.weight", StringComparison.Ordinal));
        words.Dims.Clear();
        words.Dims.Add([1L << 32, 1L << 32]);
        words.RawData = ByteString.Empty;
        words.FloatData.Clear();

        Action act = () => OnnxBertImporter.Import(new MemoryStream(model.ToByteArray()));

        act.Should().Throw<InvalidDataException>()
            .WithMessage("*word_embeddings.weight*dimension 4294967296*")
            .Which.Message.Should().NotContain("attention heads");
    }

    [Fact]
    public void Import_NegativeDim_NamesTheTensor()
    {
        ModelProto model = new OnnxTinyBertModelBuilder().Build();
        TensorProto words = model.Graph.Initializer.Single(t => t.Name.EndsWith("word_embeddings.weight", StringComparison.Ordinal));
        words.Dims[0] = -words.Dims[0];

        Action act = () => OnnxBertImporter.Import(new MemoryStream(model.ToByteArray()));

        act.Should().Throw<InvalidDataException>().WithMessage("*word_embeddings.weight*dimension -*");
    }
}
