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

    private static void RunOnce(TaskModel model, long[] ids)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        Tensor input = tensor(ids).reshape(2, 5);
        Tensor mask = input.ne(0).to_type(ScalarType.Int64);
        model.Forward(new ModelInputs(input, mask, zeros_like(input), null));
    }
}
