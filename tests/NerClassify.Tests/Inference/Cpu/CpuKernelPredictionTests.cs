using FluentAssertions;
using NerClassify.Encoders.Bert;
using NerClassify.Inference;
using NerClassify.Inference.Cpu;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Inference.Cpu;

/// <summary>The predictor's <see cref="PredictorOptions.CpuKernels"/> modes give the same predictions as LibTorch.</summary>
[Collection(TorchCollection.Name)]
[Trait("Category", "CpuKernels")]
public sealed class CpuKernelPredictionTests
{
    private static readonly string[] Texts =
    [
        "John Smith visited Paris today.",
        "Mary won the match in London.",
        "The United Nations met in Berlin (Germany) with Google and Microsoft, said Reuters.",
    ];

    // Widths the kernels take (multiples of 16), unlike the style guide's tiny BERT.
    private static readonly BertConfig KernelSizedConfig = new()
    {
        VocabSize = 99,
        HiddenSize = 64,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        IntermediateSize = 128,
        MaxPositionEmbeddings = 64,
    };

    [Theory]
    [InlineData(CpuKernelMode.Always)]
    [InlineData(CpuKernelMode.Auto)]
    public void PredictBatch_WithKernels_GivesTheSamePredictionsAsLibTorch(CpuKernelMode mode)
    {
        (string[] Tags, float[] Probabilities)[] expected = Predict(CpuKernelMode.Off);

        (string[] Tags, float[] Probabilities)[] actual = Predict(mode);

        actual.Select(p => string.Join(" ", p.Tags)).Should().Equal(expected.Select(p => string.Join(" ", p.Tags)));
        actual.SelectMany(p => p.Probabilities).Zip(expected.SelectMany(p => p.Probabilities), (a, b) => Math.Abs(a - b)).Max()
            .Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void TorchSharpBackend_KernelModes_UseTheKernelEncoderOnlyWhereTheCpuHasAPath()
    {
        using var model = new MultitaskModel(new BertEncoder(KernelSizedConfig), TinyData.TokenLabels, TinyData.Topics);

        using var off = new TorchSharpBackend(model, new PredictorOptions { CpuKernels = CpuKernelMode.Off });
        using var always = new TorchSharpBackend(model, new PredictorOptions { CpuKernels = CpuKernelMode.Always, Compute = new ComputeOptions { Threads = 3 } });

        off.Encoder.Should().BeSameAs(model.Encoder);
        if (VectorPaths.Best is { } path)
        {
            always.Encoder.Should().BeOfType<CpuKernelEncoder>().Which.Context.Should().Be(new KernelContext(path, 3));
        }
        else
        {
            always.Encoder.Should().BeSameAs(model.Encoder, "no vector path: LibTorch");
        }
    }

    private static (string[] Tags, float[] Probabilities)[] Predict(CpuKernelMode mode)
    {
        TorchSharp.torch.manual_seed(11);
        var model = new MultitaskModel(new BertEncoder(KernelSizedConfig), TinyData.TokenLabels, TinyData.Topics);
        model.eval();
        using NerClassifier classifier = NerClassifier.FromModel(model, TinyBert.Vocabulary(), new PredictorOptions { BatchSize = 2, CpuKernels = mode });
        return classifier.PredictBatch(Texts).Select(p => (p.Tags.ToArray(), p.Sentence!.Probabilities.Values.ToArray())).ToArray();
    }
}
