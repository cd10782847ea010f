using FluentAssertions;
using NerClassify.Encoders.Bert;
using NerClassify.Tests.TestSupport;
using static TorchSharp.torch;

namespace NerClassify.Tests.Encoders;

[Collection(TorchCollection.Name)]
public sealed class BertEncoderTests
{
    [Fact]
    public void Encode_TinyModel_ReturnsTokenStatesAndPooledOutput()
    {
        using var encoder = TinyBert.Encoder();
        encoder.eval();
        using var scope = NewDisposeScope();
        Tensor ids = randint(5, 99, [3, 7], dtype: ScalarType.Int64);

        var output = encoder.Encode(ids, ones_like(ids));

        output.LastHiddenState.shape.Should().Equal(3, 7, 32);
        output.PooledOutput!.shape.Should().Equal(3, 32);
    }

    [Fact]
    public void Encode_WithoutPooler_ReturnsNoPooledOutput()
    {
        using var encoder = TinyBert.Encoder(addPooler: false);
        using var scope = NewDisposeScope();
        Tensor ids = randint(5, 99, [2, 4], dtype: ScalarType.Int64);

        encoder.Encode(ids, ones_like(ids)).PooledOutput.Should().BeNull();
        encoder.named_parameters().Should().NotContain(p => p.name.StartsWith("pooler"));
    }

    [Fact]
    public void Encode_PaddedBatch_GivesSameStatesAsEachSentenceAlone()
    {
        using var encoder = TinyBert.Encoder();
        encoder.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] shortIds = [2, 20, 21, 3];
        long[] longIds = [2, 5, 6, 7, 8, 9, 3];
        Tensor batch = tensor(shortIds.Concat(new long[] { 0, 0, 0 }).Concat(longIds).ToArray()).reshape(2, 7);
        Tensor mask = tensor(new long[] { 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1 }).reshape(2, 7);

        Tensor batched = encoder.Encode(batch, mask).LastHiddenState;
        Tensor alone = encoder.Encode(tensor(shortIds).reshape(1, 4), ones(1, 4, dtype: ScalarType.Int64)).LastHiddenState;

        float difference = batched[0, ..4].sub(alone[0]).abs().max().item<float>();
        difference.Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void Encode_TooManyTokens_ThrowsNamingTheLimit()
    {
        using var encoder = TinyBert.Encoder();
        using var scope = NewDisposeScope();
        Tensor ids = zeros(1, 65, dtype: ScalarType.Int64);

        Action act = () => encoder.Encode(ids, ones_like(ids));

        act.Should().Throw<ArgumentException>().WithMessage("*65 tokens*64 positions*");
    }

    [Fact]
    public void StateDict_BertBaseConfig_HasHuggingFaceNamesAndShapes()
    {
        // Golden list from transformers' BertModel(BertConfig()) (bert-base-uncased sizes).
        (string Name, long[] Shape)[] embeddings =
        [
            ("embeddings.word_embeddings.weight", [30522, 768]),
            ("embeddings.position_embeddings.weight", [512, 768]),
            ("embeddings.token_type_embeddings.weight", [2, 768]),
            ("embeddings.LayerNorm.weight", [768]),
            ("embeddings.LayerNorm.bias", [768]),
        ];
        (string Suffix, long[] Shape)[] layer =
        [
            ("attention.self.query.weight", [768, 768]),
            ("attention.self.query.bias", [768]),
            ("attention.self.key.weight", [768, 768]),
            ("attention.self.key.bias", [768]),
            ("attention.self.value.weight", [768, 768]),
            ("attention.self.value.bias", [768]),
            ("attention.output.dense.weight", [768, 768]),
            ("attention.output.dense.bias", [768]),
            ("attention.output.LayerNorm.weight", [768]),
            ("attention.output.LayerNorm.bias", [768]),
            ("intermediate.dense.weight", [3072, 768]),
            ("intermediate.dense.bias", [3072]),
            ("output.dense.weight", [768, 3072]),
            ("output.dense.bias", [768]),
            ("output.LayerNorm.weight", [768]),
            ("output.LayerNorm.bias", [768]),
        ];
        (string Name, long[] Shape)[] pooler = [("pooler.dense.weight", [768, 768]), ("pooler.dense.bias", [768])];
        var expected = embeddings
            .Concat(Enumerable.Range(0, 12).SelectMany(i => layer.Select(p => ($"encoder.layer.{i}.{p.Suffix}", p.Shape))))
            .Concat(pooler)
            .Select(p => $"{p.Item1} [{string.Join(", ", p.Item2)}]")
            .ToList();

        using var encoder = new BertEncoder(new BertConfig());
        var actual = encoder.state_dict().Select(p => $"{p.Key} [{string.Join(", ", p.Value.shape)}]").ToList();

        actual.Should().Equal(expected);
        actual.Should().HaveCount(199);
    }

    [Fact]
    public void Constructor_RandomInit_FollowsHuggingFaceInitialisation()
    {
        using var encoder = TinyBert.Encoder();
        var parameters = encoder.state_dict();

        parameters["embeddings.LayerNorm.weight"].eq(1).all().item<bool>().Should().BeTrue();
        parameters["encoder.layer.0.attention.self.query.bias"].eq(0).all().item<bool>().Should().BeTrue();
        parameters["embeddings.word_embeddings.weight"][0].eq(0).all().item<bool>().Should().BeTrue();
        parameters["encoder.layer.0.intermediate.dense.weight"].std().item<float>().Should().BeApproximately(0.02f, 0.005f);
    }
}
