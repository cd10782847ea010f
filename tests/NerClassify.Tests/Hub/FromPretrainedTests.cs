using FluentAssertions;
using NerClassify.Encoders;
using NerClassify.Tests.TestSupport;
using static TorchSharp.torch;

namespace NerClassify.Tests.Hub;

[Collection(TorchCollection.Name)]
public sealed class FromPretrainedTests
{
    [Fact]
    public async Task FromPretrainedAsync_TinyBertOnFakeHub_LoadsTheSameEncoder()
    {
        await using var context = new HubTestContext();
        string saved = Directory.CreateTempSubdirectory("nerclassify-hub-model-").FullName;
        try
        {
            using var original = new PretrainedEncoder(TinyBert.Encoder(seed: 21), TinyBert.Vocabulary());
            original.Save(saved);
            context.Server.Models[HubTestContext.ModelId] = Directory.GetFiles(saved).ToDictionary(f => Path.GetFileName(f), f => File.ReadAllBytes(f));

            using PretrainedEncoder loaded = await PretrainedEncoder.FromPretrainedAsync(HubTestContext.ModelId, context.Options);

            loaded.LoadReport!.IsExact.Should().BeTrue();
            Forward(loaded.Encoder).Should().Equal(Forward(original.Encoder));
        }
        finally
        {
            Directory.Delete(saved, recursive: true);
        }
    }

    private static float[] Forward(NerClassify.Encoders.Bert.BertEncoder encoder)
    {
        encoder.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor ids = tensor(new long[] { 2, 20, 21, 3 }).reshape(1, 4);
        return encoder.Encode(ids, ones_like(ids)).LastHiddenState.data<float>().ToArray();
    }
}
