using FluentAssertions;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using static TorchSharp.torch;

namespace NerClassify.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class ModelConstructionTests
{
    [Fact]
    public void Constructor_InsideADisposeScope_KeepsWeightsAliveAfterTheScope()
    {
        MultitaskModel model;
        using (NewDisposeScope())
        {
            model = new MultitaskModel(TinyBert.Encoder(), TinyData.TokenLabels, TinyData.Topics, new MultitaskLossOptions { Weighting = LossWeighting.Uncertainty });
        }

        using (model)
        {
            model.parameters().Should().OnlyContain(p => !p.IsInvalid);
            model.CurrentWeights().Should().Be((0.5, 0.5));
        }
    }

    [Fact]
    public void Forward_RepeatedInScopes_LeavesNoTensorsBehind()
    {
        using var model = new MultitaskModel(TinyBert.Encoder(), TinyData.TokenLabels, TinyData.Topics);
        model.eval();
        long[] ids = [2, 20, 21, 3, 0, 2, 40, 41, 42, 3];
        RunOnce(model, ids);
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (int i = 0; i < 20; i++)
        {
            RunOnce(model, ids);
        }

        TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void Forward_CasingInputAtZero_EqualsTheModelWithoutIt()
    {
        using var plain = new TokenClassificationModel(TinyBert.Encoder(seed: 5), TinyData.TokenLabels);
        using var cased = new TokenClassificationModel(TinyBert.Encoder(seed: 5), TinyData.TokenLabels, headOptions: new TokenHeadOptions { CasingInput = true });
        using (no_grad())
        {
            cased.Head.parameters().Zip(plain.Head.parameters()).ToList().ForEach(p => p.First.copy_(p.Second));
        }

        plain.eval();
        cased.eval();
        using var scope = NewDisposeScope();
        Tensor ids = tensor(new long[] { 2, 20, 21, 3 }).reshape(1, 4);
        var inputs = new ModelInputs(ids, ones_like(ids), zeros_like(ids), tensor(new long[] { 0, 2, 2, 0 }).reshape(1, 4));

        cased.UsesCasing.Should().BeTrue();
        cased.named_parameters().Select(p => p.name).Should().Contain("casing_embeddings.weight");
        float difference = cased.Forward(inputs).TokenLogits!.sub(plain.Forward(inputs).TokenLogits!).abs().max().item<float>();
        difference.Should().Be(0f);
    }

    private static void RunOnce(TaskModel model, long[] ids)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        Tensor input = tensor(ids).reshape(2, 5);
        Tensor mask = input.ne(0).to_type(ScalarType.Int64);
        model.Forward(new ModelInputs(input, mask, zeros_like(input), null));
    }
}
