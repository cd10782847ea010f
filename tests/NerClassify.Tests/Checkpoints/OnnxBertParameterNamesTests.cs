using FluentAssertions;
using NerClassify.Checkpoints.Onnx;
using Xunit;

namespace NerClassify.Tests.Checkpoints;

public sealed class OnnxBertParameterNamesTests
{
    [Theory]
    [InlineData("encoder.layer.0.attention.self.query.bias")]
    [InlineData("encoder.layer.11.attention.self.key.bias")]
    [InlineData("encoder.layer.3.attention.self.value.bias")]
    [InlineData("encoder.layer.3.attention.output.dense.bias")]
    [InlineData("encoder.layer.3.intermediate.dense.bias")]
    [InlineData("encoder.layer.3.output.dense.bias")]
    [InlineData("pooler.dense.bias")]
    public void IsLinearBias_LinearBias_ReturnsTrue(string name)
    {
        OnnxBertImporter.IsLinearBias(name).Should().BeTrue();
    }

    [Theory]
    [InlineData("encoder.layer.0.attention.output.LayerNorm.bias")]
    [InlineData("encoder.layer.0.output.LayerNorm.bias")]
    [InlineData("embeddings.LayerNorm.bias")]
    [InlineData("encoder.layer.0.attention.self.query.weight")]
    [InlineData("bert.encoder.layer.0.attention.self.query.bias")]
    [InlineData("classifier.bias")]
    public void IsLinearBias_OtherName_ReturnsFalse(string name)
    {
        OnnxBertImporter.IsLinearBias(name).Should().BeFalse();
    }

    [Theory]
    [InlineData("bert.embeddings.word_embeddings.weight", "embeddings.word_embeddings.weight")]
    [InlineData("0.auto_model.encoder.layer.2.output.dense.bias", "encoder.layer.2.output.dense.bias")]
    [InlineData("encoder.layer.1.attention.output.LayerNorm.gamma", "encoder.layer.1.attention.output.LayerNorm.weight")]
    [InlineData("embeddings.LayerNorm.beta", "embeddings.LayerNorm.bias")]
    [InlineData("pooler.dense.weight", "pooler.dense.weight")]
    public void TryNormalize_ExporterName_GivesHuggingFaceName(string onnxName, string expected)
    {
        OnnxBertParameterNames.TryNormalize(onnxName, out string name).Should().BeTrue();
        name.Should().Be(expected);
    }

    [Theory]
    [InlineData("onnx::MatMul_1234")]
    [InlineData("927")]
    [InlineData("embeddings.position_ids")]
    [InlineData("xembeddings.word_embeddings.weight")]
    [InlineData("cls.predictions.bias")]
    public void TryNormalize_OtherName_ReturnsFalse(string onnxName)
    {
        OnnxBertParameterNames.TryNormalize(onnxName, out _).Should().BeFalse();
    }
}
