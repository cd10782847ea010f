using System.Text.Json.Nodes;
using FluentAssertions;
using NerClassify.Checkpoints;
using NerClassify.Encoders;
using NerClassify.OnnxRuntime;
using NerClassify.Tests.TestSupport;
using Xunit.Abstractions;

namespace NerClassify.Tests.Api;

/// <summary>
/// A multitask fine-tune of the tiny random XLM-R (SentencePiece) and RoBERTa (byte-level BPE) reference encoders on a few
/// hundred sentences the test writes itself: trains, saves with Hugging Face's names, reloads, exports to ONNX and
/// predicts the same entity spans and sentence classes on TorchSharp and ONNX Runtime.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class RobertaEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("tiny-xlm-roberta", "xlm-roberta", "XLMRobertaForMultitaskClassification", VocabularyKind.SentencePiece)]
    [InlineData("tiny-roberta", "roberta", "RobertaForMultitaskClassification", VocabularyKind.ByteLevelBpe)]
    public async Task Multitask_TrainSaveReloadExport_PredictsTheSameSpansOnBothRuntimes(string reference, string modelType, string architecture, VocabularyKind kind)
    {
        string encoderDirectory = _temp.File("encoder");
        RobertaReference.CopyModel(reference, encoderDirectory, "model.safetensors");
        IReadOnlyList<TrainingExample> train = Enumerable.Range(0, 50).SelectMany(_ => TinyData.Examples).ToArray();

        using (PretrainedEncoder pretrained = PretrainedEncoder.Load(encoderDirectory))
        {
            pretrained.Vocabulary.Kind.Should().Be(kind);
            using NerClassifier classifier = NerClassifier.Create(pretrained, TinyData.TokenLabels, TinyData.Topics);
            TrainingHistory history = await classifier.TrainAsync(train, TinyData.Examples, new TrainerOptions { Epochs = 6, LearningRate = 1e-2, BatchSize = 16, MaxLength = 24, Stride = 8 });
            output.WriteLine($"{reference}: {train.Count} sentences, {history.Epochs.Count} epochs");
            classifier.Save(_temp.File("model"));
        }

        JsonObject config = (JsonObject)JsonNode.Parse(File.ReadAllText(_temp.File("model/config.json")))!;
        config["model_type"]!.GetValue<string>().Should().Be(modelType);
        config["architectures"]![0]!.GetValue<string>().Should().Be(architecture);
        CheckpointFiles.Read(_temp.File("model/model.safetensors")).Keys.Should().Contain("roberta.embeddings.position_embeddings.weight").And.NotContain(k => k.StartsWith("bert.", StringComparison.Ordinal));

        using NerClassifier loaded = NerClassifier.Load(_temp.File("model"));
        loaded.ExportOnnx(_temp.File("model/model.onnx"));
        using OnnxNerClassifier onnx = OnnxNerClassifier.Load(_temp.File("model/model.onnx"));

        string[] texts = [.. TinyData.Examples.Select(e => string.Join(' ', e.Words)), "John Smith won in Berlin and Paris .", "Mary visited the United Nations in New York ."];
        int entities = 0;
        foreach (string text in texts)
        {
            Prediction torch = loaded.Predict(text);
            Prediction ort = onnx.Predict(text);
            ort.Entities.Select(e => (e.Start, e.End, e.Type, e.Text)).Should().Equal(torch.Entities.Select(e => (e.Start, e.End, e.Type, e.Text)), text);
            ort.Entities.Select(e => e.Score).Should().Equal(torch.Entities.Select(e => e.Score), (a, b) => Math.Abs(a - b) < 1e-4, text);
            ort.Sentence!.Label.Should().Be(torch.Sentence!.Label, text);
            entities += torch.Entities.Count;
        }

        output.WriteLine($"{reference}: {texts.Length} texts, {entities} entities, the same spans and classes on TorchSharp and ONNX Runtime");
        entities.Should().BeGreaterThan(0, "the fine-tuned model finds entities in its own training sentences");
    }
}
