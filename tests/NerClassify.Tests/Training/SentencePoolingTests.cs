using FluentAssertions;
using NerClassify.Export;
using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.OnnxRuntime;
using NerClassify.Tests.TestSupport;
using static TorchSharp.torch;

namespace NerClassify.Tests.Training;

/// <summary>Mean pooling for the sentence head (issue 18, lever 5).</summary>
[Collection(TorchCollection.Name)]
public sealed class SentencePoolingTests : IDisposable
{
    private static readonly string[] Texts = ["John Smith visited Paris today .", "Mary won .", "Google shares on the market in New York ."];

    private readonly string _folder = Directory.CreateTempSubdirectory("nerclassify-pooling-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void MeanPooling_PaddedBatch_ClassifiesTheMeanOfTheUnpaddedStates()
    {
        manual_seed(4);
        using var head = new SequenceClassificationHead(inputSize: 4, classCount: 3, dropout: 0, pooling: SentencePooling.Mean);
        head.eval();
        using var scope = NewDisposeScope();
        Tensor hidden = randn(2, 3, 4);
        Tensor mask = tensor(new long[] { 1, 1, 0, 1, 1, 1 }, [2, 3]);

        Tensor logits = head.forward(new SequenceHeadInput(hidden, mask, PooledOutput: null));

        Tensor firstMean = hidden[0].narrow(0, 0, 2).mean([0]);
        Tensor secondMean = hidden[1].mean([0]);
        Tensor expected = nn.functional.linear(stack([firstMean, secondMean]), head.parameters().First(p => p.shape.Length == 2), head.parameters().First(p => p.shape.Length == 1));
        logits.allclose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
        head.named_parameters().Select(p => p.name).Should().BeEquivalentTo(["weight", "bias"], "mean pooling needs no dense layer of its own");
    }

    [Fact]
    public void MeanPooling_SavedAndLoaded_KeepsThePoolingAndThePredictions()
    {
        using NerClassifier classifier = MeanPooled();
        string[] before = classifier.PredictBatch(Texts).Select(Describe).ToArray();

        classifier.Save(_folder);
        using NerClassifier loaded = NerClassifier.Load(_folder);

        File.ReadAllText(Path.Combine(_folder, "config.json")).Should().Contain("\"sentence_pooling\": \"mean\"");
        loaded.Config.SentencePooling.Should().Be(SentencePooling.Mean);
        loaded.PredictBatch(Texts).Select(Describe).Should().Equal(before);
    }

    [Fact]
    public void MeanPooling_ExportedToOnnx_GivesTheSameSentenceProbabilities()
    {
        using NerClassifier classifier = MeanPooled();
        string path = Path.Combine(_folder, "model.onnx");
        IReadOnlyList<Prediction> expected = classifier.PredictBatch(Texts);
        classifier.ExportOnnx(path);
        using OnnxNerClassifier onnx = OnnxNerClassifier.Load(path);

        IReadOnlyList<Prediction> actual = onnx.PredictBatch(Texts);

        for (int i = 0; i < Texts.Length; i++)
        {
            actual[i].Sentence!.Label.Should().Be(expected[i].Sentence!.Label);
            foreach ((string label, float probability) in expected[i].Sentence!.Probabilities)
            {
                actual[i].Sentence!.Probabilities[label].Should().BeApproximately(probability, 1e-4f);
            }
        }

        // Mean and [CLS] pooling of the same weights give different probabilities, so the check above has teeth.
        using var cls = new MultitaskModel(TinyBert.Encoder(seed: 3), TinyData.TokenLabels, TinyData.Topics);
        cls.load_state_dict(classifier.Model.state_dict(), strict: false);
        using NerClassifier clsClassifier = NerClassifier.FromModel(cls, TinyBert.Vocabulary());
        clsClassifier.Predict(Texts[0]).Sentence!.Probabilities.Values.Should().NotEqual(expected[0].Sentence!.Probabilities.Values);
    }

    private static NerClassifier MeanPooled()
    {
        manual_seed(6);
        var model = new MultitaskModel(TinyBert.Encoder(seed: 3), TinyData.TokenLabels, TinyData.Topics, sentencePooling: SentencePooling.Mean);
        using (no_grad())
        {
            // A larger classifier so the sentence probabilities differ visibly between texts.
            model.SequenceHead.parameters().First().normal_(0, 1);
        }

        return NerClassifier.FromModel(model, TinyBert.Vocabulary());
    }

    private static string Describe(Prediction p) => $"{string.Join(" ", p.Tags)} | {p.Sentence!.Label} {p.Sentence.Probability:F5}";
}
