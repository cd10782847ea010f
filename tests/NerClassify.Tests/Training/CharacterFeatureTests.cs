using System.Text.Json.Nodes;
using FluentAssertions;
using NerClassify.Checkpoints.Onnx;
using NerClassify.Data;
using NerClassify.Export;
using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tests.Export;
using NerClassify.Tests.TestSupport;
using NerClassify.Tokenization;
using NerClassify.Training;
using static TorchSharp.torch;

namespace NerClassify.Tests.Training;

/// <summary>Character-level word features (<see cref="TokenHeadOptions.CharacterFeatures"/>), issue 18 lever 3.</summary>
[Collection(TorchCollection.Name)]
public sealed class CharacterFeatureTests
{
    private const string Projection = "character_encoder.projection.weight";

    private static readonly string[][] Sentences =
    [
        ["John", "Smith", "visited", "Paris", "today", "."],
        ["Mary", "won", "the", "match", "in", "London", "."],
        ["The", "United", "Nations", "met", "in", "Berlin", "(", "Germany", ")", "."],
        ["GOOGLE", "shares", "rose", "on", "Wall", "Street", "!"],
        ["Reuters"],
    ];

    [Fact]
    public void ForSubwords_CasedWords_GiveEachSubwordItsWordsCharactersAndSpecialsZeros()
    {
        string[] words = ["Paris", "paris", "internationalisation"];
        int[] wordIndex = [-1, 0, 0, 1, 2, 2, -1]; // [CLS] Par ##is paris intern ##ationalisation [SEP]

        long[] ids = WordCharacters.ForSubwords(words, wordIndex);

        const int w = WordCharacters.Width;
        ids.Should().HaveCount(wordIndex.Length * w);
        long[] Row(int i) => ids.AsSpan(i * w, w).ToArray();
        Row(0).Should().OnlyContain(id => id == 0);
        Row(6).Should().OnlyContain(id => id == 0);
        Row(1).Should().Equal(['P' + 1, 'a' + 1, 'r' + 1, 'i' + 1, 's' + 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        Row(2).Should().Equal(Row(1), "both subwords belong to 'Paris'");
        Row(3)[0].Should().Be('p' + 1, "the ids come from the word as written, not lower-cased");
        Row(4).Should().Equal("internationalisa".Select(c => (long)c + 1), "a long word keeps its first 16 chars");
        Row(5).Should().Equal(Row(4));
        WordCharacters.Id('\u00e9').Should().Be(1 + (0xE9 % 255));
        WordCharacters.Id('\u4e2d').Should().BeInRange(1, WordCharacters.Count - 1);
    }

    [Fact]
    public void Collate_CharacterIds_LaysRowsOutAsBatchSequenceWidthWithZeroPadding()
    {
        var shortRow = new EncodedSentence([2, 20, 3], [1, 1, 1], [0, 0, 0], [-1, 0, -1]) { CharacterIds = WordCharacters.ForSubwords(["ab"], [-1, 0, -1]) };
        var longRow = new EncodedSentence([2, 20, 21, 3], [1, 1, 1, 1], [0, 0, 0, 0], [-1, 0, 1, -1]) { CharacterIds = WordCharacters.ForSubwords(["c", "d"], [-1, 0, 1, -1]) };

        Batch batch = BatchCollator.Collate([shortRow, longRow], padId: 0);

        const int w = WordCharacters.Width;
        batch.CharacterIds.Should().HaveCount(2 * 4 * w);
        batch.CharacterIds![(1 * w) + 1].Should().Be('b' + 1);
        batch.CharacterIds.AsSpan(3 * w, w).ToArray().Should().OnlyContain(id => id == 0, "the short row's padding position has no characters");
        batch.CharacterIds[(4 + 2) * w].Should().Be('d' + 1);
    }

    [Fact]
    public void BatchOf_CharacterModel_GivesEverySubwordOfAWordItsRowAndPlainModelsNone()
    {
        using var plain = new MultitaskModel(TinyBert.Encoder(seed: 5), TinyData.TokenLabels, TinyData.Topics);
        using var withCharacters = new MultitaskModel(TinyBert.Encoder(seed: 5), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { CharacterFeatures = true });

        Batch plainBatch = ExportedGraph.BatchOf(plain, TinyBert.Vocabulary(), Sentences);
        Batch batch = ExportedGraph.BatchOf(withCharacters, TinyBert.Vocabulary(), Sentences);

        plainBatch.CharacterIds.Should().BeNull("a model without character features gets no character ids");
        const int w = WordCharacters.Width;
        int checkedSubwords = 0;
        for (int row = 0; row < batch.BatchSize; row++)
        {
            int[] wordIndex = batch.WordIndex[row];
            string[] words = Sentences[batch.Items[row].SentenceIndex];
            for (int position = 0; position < batch.SequenceLength; position++)
            {
                long[] ids = batch.CharacterIds!.AsSpan(((row * batch.SequenceLength) + position) * w, w).ToArray();
                int word = position < wordIndex.Length ? wordIndex[position] : -1;
                ids.Should().Equal(word < 0 ? new long[w] : WordCharacters.ForSubwords(words, [word]));
                checkedSubwords += word >= 0 && position > 0 && wordIndex[position - 1] == word ? 1 : 0;
            }
        }

        checkedSubwords.Should().BePositive("some word must be split into several subwords");
    }

    [Fact]
    public void Forward_CharacterFeaturesRepeatedInScopes_LeavesNoTensorsBehind()
    {
        using MultitaskModel model = CharacterModel();
        Batch batch = ExportedGraph.BatchOf(model, TinyBert.Vocabulary(), Sentences);
        ExportedGraph.TorchLogits(model, batch);
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (int i = 0; i < 10; i++)
        {
            ExportedGraph.TorchLogits(model, batch);
        }

        TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount.Should().Be(before);
    }

    [Fact]
    public void Forward_NewCharacterFeatures_EqualsTheSameModelWithoutThem()
    {
        using var plain = new MultitaskModel(TinyBert.Encoder(seed: 5), TinyData.TokenLabels, TinyData.Topics);
        using var withCharacters = new MultitaskModel(TinyBert.Encoder(seed: 5), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { CharacterFeatures = true });
        withCharacters.load_state_dict(plain.state_dict(), strict: false);
        plain.eval();
        withCharacters.eval();
        Batch batch = ExportedGraph.BatchOf(withCharacters, TinyBert.Vocabulary(), Sentences);

        (float[]? plainTokens, float[]? plainSequences) = ExportedGraph.TorchLogits(plain, batch);
        (float[]? tokens, float[]? sequences) = ExportedGraph.TorchLogits(withCharacters, batch);

        withCharacters.UsesCharacters.Should().BeTrue();
        plain.UsesCharacters.Should().BeFalse();
        batch.CharacterIds.Should().Contain(id => id != 0);
        withCharacters.named_parameters().Select(p => p.name).Should().Contain(
            ["character_encoder.embeddings.weight", "character_encoder.convolution.weight", "character_encoder.convolution.bias", Projection]);
        tokens.Should().Equal(plainTokens, "the zero-initialised projection adds nothing yet");
        sequences.Should().Equal(plainSequences);
    }

    [Fact]
    public void Forward_CharactersOfPaddingOnly_AddNothing()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(seed: 5), TinyData.TokenLabels, headOptions: new TokenHeadOptions { CharacterFeatures = true });
        Randomise(model);
        using var scope = NewDisposeScope();
        var encoder = new CharacterEncoder(TinyBert.Config.HiddenSize);
        encoder.load_state_dict(model.state_dict().Where(p => p.Key.StartsWith("character_encoder.", StringComparison.Ordinal)).ToDictionary(p => p.Key["character_encoder.".Length..], p => p.Value));
        long[] ids = new long[2 * WordCharacters.Width];
        ids[WordCharacters.Width] = WordCharacters.Id('A');

        float[] features = encoder.forward(tensor(ids, [1, 2, WordCharacters.Width])).data<float>().ToArray();

        features.Take(TinyBert.Config.HiddenSize).Should().OnlyContain(v => v == 0, "a special token or padding position has no characters");
        features.Skip(TinyBert.Config.HiddenSize).Should().Contain(v => v != 0);
        encoder.Dispose();
    }

    [Fact]
    public async Task TrainAsync_WithCharacterFeatures_LearnsTheProjectionAndSurvivesSaveAndLoad()
    {
        using var folder = new TempDirectory();
        manual_seed(3);
        var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { CharacterFeatures = true });
        using NerClassifier classifier = NerClassifier.FromModel(model, TinyBert.Vocabulary());
        var options = new TrainerOptions { Epochs = 2, BatchSize = 2, LearningRate = 1e-3, EvaluateEveryEpoch = false, Seed = 5 };

        await classifier.TrainAsync(TinyData.Examples, options: options);
        classifier.Save(folder.File("model"));
        using NerClassifier loaded = NerClassifier.Load(folder.File("model"));

        using (no_grad())
        {
            classifier.Model.get_parameter(Projection)!.abs().max().item<float>().Should().BeGreaterThan(0, "training moves the projection off zero");
        }

        JsonNode config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.File("model"), "config.json")))!;
        config["nerclassify"]!["token_head"]!["character_features"]!.GetValue<bool>().Should().BeTrue();
        loaded.Config.TokenHead.CharacterFeatures.Should().BeTrue();
        loaded.Model.UsesCharacters.Should().BeTrue();
        loaded.PredictBatch(Sentences).Should().BeEquivalentTo(classifier.PredictBatch(Sentences), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Export_RandomCharacterWeights_OnnxRuntimeLogitsMatchTorchSharpWithin1e4()
    {
        using var folder = new TempDirectory();
        using MultitaskModel model = CharacterModel();
        using MultitaskModel zeroProjection = CharacterModel();
        using (no_grad())
        {
            zeroProjection.get_parameter(Projection)!.zero_();
        }

        string path = folder.File("model.onnx");
        OnnxExporter.Export(model, path);
        Batch batch = ExportedGraph.BatchOf(model, TinyBert.Vocabulary(), Sentences);

        (float[]? tokens, float[]? sequences) = ExportedGraph.TorchLogits(model, batch);
        (float[]? withoutCharacters, _) = ExportedGraph.TorchLogits(zeroProjection, batch);
        Dictionary<string, (float[] Values, long[] Shape)> onnx = ExportedGraph.OnnxRun(path, batch);

        batch.AttentionMask.Should().Contain(0, "the batch must include padding");
        ExportedGraph.MaxAbsDifference(tokens!, withoutCharacters!).Should().BeGreaterThan(1e-2f, "the character features must change the logits for the check to mean anything");
        ExportedGraph.MaxAbsDifference(tokens!, onnx[OnnxTensorNames.TokenLogits].Values).Should().BeLessThan(1e-4f);
        ExportedGraph.MaxAbsDifference(sequences!, onnx[OnnxTensorNames.SequenceLogits].Values).Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void LoadOnnx_RandomCharacterWeights_PredictsTheTagsAndProbabilitiesOfTorchSharp()
    {
        MultitaskModel model = CharacterModel();
        var options = new PredictorOptions { BatchSize = 2 };

        // TorchSharp first: the ONNX path exports the model and then frees it.
        using var torch = (IDisposable)TestPredictors.Create(model, TinyBert.Vocabulary(), options, PredictorBackend.TorchSharp);
        Prediction[] expected = [.. ((INerPredictor)torch).PredictBatch(Sentences)];
        using var onnx = (IDisposable)TestPredictors.Create(model, TinyBert.Vocabulary(), options, PredictorBackend.OnnxRuntime);
        Prediction[] actual = [.. ((INerPredictor)onnx).PredictBatch(Sentences)];

        actual.Select(p => p.Tags).Should().BeEquivalentTo(expected.Select(p => p.Tags), o => o.WithStrictOrdering());
        actual.Select(p => p.Sentence!.Label).Should().Equal(expected.Select(p => p.Sentence!.Label));
        for (int i = 0; i < expected.Length; i++)
        {
            foreach ((string label, float probability) in expected[i].Sentence!.Probabilities)
            {
                actual[i].Sentence!.Probabilities[label].Should().BeApproximately(probability, 1e-4f);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Export_CharacterFeatures_AddTheCharacterIdsInputOnlyWhenOn(bool characterFeatures)
    {
        using var folder = new TempDirectory();
        using var model = new TokenClassificationModel(TinyBert.Encoder(seed: 4, addPooler: false), TinyData.TokenLabels, headOptions: new TokenHeadOptions { CharacterFeatures = characterFeatures });
        string path = folder.File("model.onnx");

        OnnxExporter.Export(model, path);

        ModelProto proto = ExportedGraph.Parse(path);
        ValueInfoProto? input = proto.Graph.Input.SingleOrDefault(i => i.Name == OnnxTensorNames.CharacterIds);
        (input is not null).Should().Be(characterFeatures);
        ExportedGraph.UnusedInitializers(proto).Should().BeEmpty();
        if (input is not null)
        {
            input.Type.TensorType.ElemType.Should().Be((int)TensorProto.Types.DataType.Int64);
            input.Type.TensorType.Shape.Dim.Select(d => d.DimParam + d.DimValue).Should().Equal("batch0", "sequence0", "16");
        }
    }

    /// <summary>A multitask model whose character encoder, projection included, has random weights.</summary>
    private static MultitaskModel CharacterModel()
    {
        var model = new MultitaskModel(TinyBert.Encoder(seed: 3), TinyData.TokenLabels, TinyData.Topics, tokenHeadOptions: new TokenHeadOptions { CharacterFeatures = true });
        Randomise(model);
        model.eval();
        return model;
    }

    private static void Randomise(TaskModel model)
    {
        manual_seed(11);
        using var noGrad = no_grad();
        foreach ((string name, TorchSharp.Modules.Parameter parameter) in model.named_parameters().Where(p => p.name.StartsWith("character_encoder.", StringComparison.Ordinal)))
        {
            parameter.normal_(0, name == Projection ? 0.5 : 0.3);
        }
    }
}
