using FluentAssertions;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using NerClassify.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NerClassify.Tests.Layers;

/// <summary>Heads of a user's own plug into the task models, train, save, load through a <see cref="HeadRegistry"/> and predict.</summary>
[Collection(TorchCollection.Name)]
public sealed class CustomHeadTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nerclassify-customhead-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Load_ModelWithCustomHeads_PredictsExactlyAsTheSavedModel()
    {
        BertVocabulary vocabulary = TinyBert.Vocabulary();
        MultitaskModel model = NewModel();
        await new Trainer().TrainAsync(model, new TrainingSet(vocabulary, TinyData.Examples), Quick);
        string[] texts = ["John visited Paris today.", "Reuters said Google won."];
        IReadOnlyList<Prediction> before;
        using (NerClassifier classifier = NerClassifier.FromModel(model, vocabulary, heads: Registry()))
        {
            before = classifier.PredictBatch(texts);
            classifier.Save(_folder);
        }

        using NerClassifier loaded = NerClassifier.Load(_folder, heads: Registry());
        IReadOnlyList<Prediction> after = loaded.PredictBatch(texts);

        loaded.Config.TokenHeadType.Should().Be(TwoLayerTokenHead.TypeName);
        loaded.Config.SequenceHeadType.Should().Be(MeanSentenceHead.TypeName);
        loaded.Model.TokenHead.Should().BeOfType<TwoLayerTokenHead>();
        after.Select(p => p.Tags).Should().BeEquivalentTo(before.Select(p => p.Tags), o => o.WithStrictOrdering());
        after.Select(p => p.Sentence!.Probability).Should().Equal(before.Select(p => p.Sentence!.Probability));
    }

    [Fact]
    public void Load_CustomHeadNotRegistered_ThrowsNamingTheHeadAndTheFile()
    {
        using (NerClassifier classifier = NerClassifier.FromModel(NewModel(), TinyBert.Vocabulary()))
        {
            classifier.Save(_folder);
        }

        Action act = () => NerClassifier.Load(_folder).Dispose();

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"*config.json*{TwoLayerTokenHead.TypeName}*AddTokenHead*");
    }

    [Fact]
    public void ExportOnnx_CustomHead_RefusesNamingTheHeadAndWhy()
    {
        using NerClassifier classifier = NerClassifier.FromModel(NewModel(), TinyBert.Vocabulary());

        Action act = () => classifier.ExportOnnx(Path.Combine(_folder, "model.onnx"));

        act.Should().Throw<NotSupportedException>().WithMessage($"*'{TwoLayerTokenHead.TypeName}'*cannot read a custom head's forward()*");
    }

    [Fact]
    public async Task TrainAsync_ThroughTheClassifier_CopiesCustomHeadsWithTheRegistry()
    {
        using NerClassifier classifier = NerClassifier.FromModel(NewModel(), TinyBert.Vocabulary(), heads: Registry());

        await classifier.TrainAsync(TinyData.Examples, options: Quick with { Epochs = 1 });

        classifier.Model.TokenHead.Should().BeOfType<TwoLayerTokenHead>();
        classifier.Config.TrainedOn.Should().Be($"{TinyData.Examples.Count} sentences");
    }

    [Fact]
    public void TaskModels_DescribeThemselves()
    {
        using MultitaskModel multitask = NewModel();
        using var token = new TokenClassificationModel(TinyBert.Encoder(), TinyData.TokenLabels);
        using var sequence = new SequenceClassificationModel(TinyBert.Encoder(), TinyData.Topics);

        (multitask.ArchitectureName, token.ArchitectureName, sequence.ArchitectureName).Should()
            .Be(("BertForMultitaskClassification", "BertForTokenClassification", "BertForSequenceClassification"));
        multitask.HeadKeys.Should().Equal("token_classifier", "sequence_classifier");
        token.HeadKeys.Should().Equal("classifier");
        (token.TokenHead, token.SequenceHead, sequence.TokenHead).Should().Be((token.Head, null, null));
        multitask.Config.TokenHeadType.Should().Be(TwoLayerTokenHead.TypeName);
        token.Config.TokenHeadType.Should().BeNull("the library's head needs no registration");
        multitask.state_dict().Keys.Should().Contain(["token_classifier.hidden.weight", "sequence_classifier.output.weight"]);
    }

    private static readonly TrainerOptions Quick = new() { Epochs = 2, BatchSize = 6, LearningRate = 1e-3, Seed = 5, EvaluateEveryEpoch = false };

    private static HeadRegistry Registry() => new HeadRegistry()
        .AddTokenHead(TwoLayerTokenHead.TypeName, c => new TwoLayerTokenHead(c.InputSize, c.LabelCount))
        .AddSequenceHead(MeanSentenceHead.TypeName, c => new MeanSentenceHead(c.InputSize, c.LabelCount));

    private static MultitaskModel NewModel()
    {
        BertEncoder encoder = TinyBert.Encoder(seed: 3);
        return new MultitaskModel(
            encoder,
            TinyData.TokenLabels,
            TinyData.Topics,
            tokenHead: new TwoLayerTokenHead(encoder.HiddenSize, TinyData.TokenLabels.Length),
            sequenceHead: new MeanSentenceHead(encoder.HiddenSize, TinyData.Topics.Length));
    }

    private sealed class TwoLayerTokenHead : TokenHead
    {
        public const string TypeName = "tests.two-layer";

        private readonly Linear hidden;
        private readonly Linear output;

        public TwoLayerTokenHead(int inputSize, int labelCount)
            : base(TypeName, labelCount)
        {
            hidden = nn.Linear(inputSize, 16);
            output = nn.Linear(16, labelCount);
            RegisterComponents();
        }

        public override Tensor forward(TokenHeadInput input)
        {
            using Tensor states = nn.functional.relu(hidden.forward(input.HiddenStates));
            return output.forward(states);
        }
    }

    private sealed class MeanSentenceHead : SequenceHead
    {
        public const string TypeName = "tests.mean";

        private readonly Linear output;

        public MeanSentenceHead(int inputSize, int classCount)
            : base(TypeName, classCount)
        {
            output = nn.Linear(inputSize, classCount);
            RegisterComponents();
        }

        public override Tensor forward(SequenceHeadInput input)
        {
            using Tensor mean = input.HiddenStates.mean([1]);
            return output.forward(mean);
        }
    }
}
