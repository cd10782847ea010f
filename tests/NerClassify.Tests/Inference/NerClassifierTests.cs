using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using NerClassify.Training;

namespace NerClassify.Tests.Inference;

[Collection(TorchCollection.Name)]
public sealed class NerClassifierTests : IDisposable
{
    private static readonly string[] Texts =
    [
        "John Smith visited Paris today.",
        "Mary won the match in London.",
        "Google shares on the market.",
        "  The United Nations met in Berlin (Germany).  ",
        "Microsoft stock was new today!",
        "The team won the game in New York.",
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("nerclassify-classifier-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task SaveThenLoad_TrainedMultitaskModel_GivesIdenticalPredictions()
    {
        using NerClassifier trained = await TrainAsync();
        Prediction[] before = trained.PredictBatch(Texts).ToArray();
        trained.Save(_folder);

        using NerClassifier loaded = NerClassifier.Load(_folder);
        Prediction[] after = loaded.PredictBatch(Texts).ToArray();

        after.Select(Describe).Should().Equal(before.Select(Describe));
        float[] beforeProbabilities = before.SelectMany(p => p.Sentence!.Probabilities.Values).ToArray();
        float[] afterProbabilities = after.SelectMany(p => p.Sentence!.Probabilities.Values).ToArray();
        afterProbabilities.Zip(beforeProbabilities, (a, b) => Math.Abs(a - b)).Max().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void Load_SavedModel_KeepsEmbeddingWeightsInStateDict()
    {
        using (var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics))
        {
            ModelDirectory.Save(model, TinyBert.Vocabulary(), _folder);
        }

        using NerClassifier loaded = NerClassifier.Load(_folder);

        loaded.Model.state_dict().Keys.Should().Contain(["bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight", "bert.embeddings.token_type_embeddings.weight"]);
    }

    [Fact]
    public async Task Predict_Text_ReturnsSpansIntoTheCallersString()
    {
        using NerClassifier classifier = await TrainAsync();

        Prediction prediction = classifier.Predict(Texts[0]);

        prediction.Entities.Should().NotBeEmpty();
        prediction.Entities.Should().OnlyContain(e => Texts[0].Substring(e.Start, e.End - e.Start) == e.Text);
        prediction.Entities.Select(e => (e.Type, e.Text)).Should().Contain(("PER", "John Smith"));
        prediction.Sentence!.Probabilities.Values.Sum().Should().BeApproximately(1f, 1e-4f);
    }

    [Fact]
    public async Task Predict_EightThreadsFiftyEach_MatchesSequentialResults()
    {
        using NerClassifier classifier = await TrainAsync();
        string[] expected = Texts.Select(t => Describe(classifier.Predict(t))).ToArray();

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Thread[] threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            for (int i = 0; i < 50; i++)
            {
                int k = (i + t) % Texts.Length;
                string actual = Describe(classifier.Predict(Texts[k]));
                if (actual != expected[k])
                {
                    failures.Add($"thread {t} call {i}: {actual} != {expected[k]}");
                }
            }
        })).ToArray();
        Array.ForEach(threads, t => t.Start());
        Array.ForEach(threads, t => t.Join());

        failures.Should().BeEmpty();
    }

    [Fact]
    public async Task PredictAsync_Stream_ReturnsResultsInInputOrder()
    {
        using NerClassifier classifier = await TrainAsync();
        string[] many = Enumerable.Range(0, 23).Select(i => Texts[i % Texts.Length]).ToArray();

        var streamed = new List<Prediction>();
        await foreach (Prediction p in classifier.PredictStreamAsync(many.ToAsyncEnumerable()))
        {
            streamed.Add(p);
        }

        streamed.Select(p => p.Text).Should().Equal(many.Select(t => t));
        streamed.Select(Describe).Should().Equal(many.Select(t => Describe(classifier.Predict(t))));
    }

    [Fact]
    public async Task Load_TruncatedWeights_ThrowsNamingTheFile()
    {
        (await TrainAsync()).Save(_folder);
        string weights = Path.Combine(_folder, "model.safetensors");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..1000]);

        Action act = () => NerClassifier.Load(_folder);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{weights}*");
    }

    [Fact]
    public async Task Load_ConfigWithWrongLabelCount_ThrowsNamingBothFiles()
    {
        (await TrainAsync()).Save(_folder);
        string configPath = Path.Combine(_folder, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["nerclassify"]!["token_labels"]!.AsArray().Add("B-EXTRA");

        // The label maps edited with the section, so that only the weights disagree (issue 31, item 10).
        config["id2label"]!["7"] = "B-EXTRA";
        config["label2id"]!["B-EXTRA"] = 7;
        File.WriteAllText(configPath, config.ToJsonString());

        Action act = () => NerClassifier.Load(_folder);

        act.Should().Throw<InvalidDataException>().WithMessage("*config.json*8 labels*model.safetensors*7 rows*");
    }

    [Fact]
    public async Task Load_MissingVocabulary_ThrowsNamingVocabTxt()
    {
        (await TrainAsync()).Save(_folder);
        File.Delete(Path.Combine(_folder, "vocab.txt"));

        Action act = () => NerClassifier.Load(_folder);

        act.Should().Throw<FileNotFoundException>().WithMessage("*vocab.txt*");
    }

    [Fact]
    public async Task Save_CrashMidway_LeavesPreviousDirectoryLoadable()
    {
        using NerClassifier classifier = await TrainAsync();
        classifier.Save(_folder);
        string expected = Describe(classifier.Predict(Texts[0]));

        Action crash = () => NerClassify.IO.AtomicDirectory.Replace(_folder, staging =>
        {
            File.WriteAllText(Path.Combine(staging, "config.json"), "{ \"half\": ");
            throw new IOException("simulated crash");
        });
        crash.Should().Throw<IOException>();

        using NerClassifier reloaded = NerClassifier.Load(_folder);
        Describe(reloaded.Predict(Texts[0])).Should().Be(expected);
    }

    [Fact]
    public async Task AddNerClassify_ModelPath_ResolvesAWorkingSingleton()
    {
        (await TrainAsync()).Save(_folder);
        using ServiceProvider provider = new ServiceCollection().AddNerClassify(o => o.ModelPath = _folder).BuildServiceProvider();

        NerClassifier classifier = provider.GetRequiredService<NerClassifier>();

        provider.GetRequiredService<NerClassifier>().Should().BeSameAs(classifier);
        classifier.Predict(Texts[1]).Sentence.Should().NotBeNull();
    }

    [Fact]
    public void AddNerClassify_MissingDirectory_FailsAtRegistration()
    {
        Action act = () => new ServiceCollection().AddNerClassify(o => o.ModelPath = Path.Combine(_folder, "nope"));

        act.Should().Throw<FileNotFoundException>().WithMessage("*nope*");
    }

    [Fact]
    public void Save_TokenModel_UsesHuggingFaceTokenClassificationLayout()
    {
        using var model = new TokenClassificationModel(TinyBert.Encoder(addPooler: false), TinyData.TokenLabels);
        ModelDirectory.Save(model, TinyBert.Vocabulary(), _folder);

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "config.json")))!;
        config["architectures"]![0]!.GetValue<string>().Should().Be("BertForTokenClassification");
        config["id2label"]!["5"]!.GetValue<string>().Should().Be("B-PER");
        config["label2id"]!["B-PER"]!.GetValue<int>().Should().Be(5);
        using var scope = TorchSharp.torch.NewDisposeScope();
        TorchSharp.PyBridge.Safetensors.LoadStateDict(Path.Combine(_folder, "model.safetensors")).Keys
            .Should().Contain(["classifier.weight", "classifier.bias", "bert.embeddings.word_embeddings.weight", "bert.encoder.layer.1.output.LayerNorm.bias"]);
    }

    private static string Describe(Prediction p) =>
        string.Join(" ", p.Tags) + " | " + string.Join(";", p.Entities.Select(e => $"{e.Type}:{e.Start}-{e.End}")) + " | " + p.Sentence?.Label;

    private static async Task<NerClassifier> TrainAsync()
    {
        var model = new MultitaskModel(TinyBert.Encoder(seed: 2), TinyData.TokenLabels, TinyData.Topics, new MultitaskLossOptions { TokenWeight = 1 }, tokenHeadOptions: new TokenHeadOptions { CasingEmbeddingSize = 4, CasingInput = true });
        var options = new TrainerOptions { LearningRate = 3e-3, Epochs = 60, BatchSize = 6, Schedule = LearningRateSchedule.Constant, Seed = 3 };
        await new Trainer().TrainAsync(model, new TrainingSet(TinyBert.Vocabulary(), TinyData.Examples), options);
        return NerClassifier.FromModel(model, TinyBert.Vocabulary(), new PredictorOptions { BatchSize = 4 });
    }
}
