using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using NerClassify.DependencyInjection;
using NerClassify.Encoders;
using NerClassify.OnnxRuntime;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Api;

/// <summary>The one-object API: ownership, disposal, files in and out, and dependency injection.</summary>
[Collection(TorchCollection.Name)]
public sealed class NerClassifierApiTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Create_SameEncoderForASecondModel_IsRefused()
    {
        using var pretrained = new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary());
        using NerClassifier first = NerClassifier.Create(pretrained, TinyData.TokenLabels);

        Action second = () => NerClassifier.Create(pretrained, TinyData.TokenLabels);

        second.Should().Throw<InvalidOperationException>().WithMessage("*belongs to NerClassifier*");
        first.Predict("John lives in Paris").Tags.Should().HaveCount(4);
    }

    [Fact]
    public void Dispose_PretrainedEncoderAfterCreate_LeavesTheModelWorking()
    {
        NerClassifier classifier;
        using (var pretrained = new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary()))
        {
            classifier = NerClassifier.Create(pretrained, null, TinyData.Topics);
        }

        using (classifier)
        {
            classifier.Predict("Mary won the match").Sentence!.Label.Should().BeOneOf(TinyData.Topics);
        }
    }

    [Fact]
    public void Predict_AfterDispose_ThrowsObjectDisposedForBothRuntimes()
    {
        NerClassifier torch = Tiny();
        string onnxPath = _folder.File("model.onnx");
        torch.ExportOnnx(onnxPath);
        OnnxNerClassifier onnx = OnnxNerClassifier.Load(onnxPath);
        torch.Dispose();
        onnx.Dispose();

        ((Action)(() => torch.Predict("Paris"))).Should().Throw<ObjectDisposedException>();
        ((Action)(() => torch.Save(_folder.File("saved")))).Should().Throw<ObjectDisposedException>();
        ((Func<Task>)(() => torch.TrainAsync(TinyData.Examples))).Should().ThrowAsync<ObjectDisposedException>();
        ((Action)(() => onnx.PredictBatch(["Paris"]))).Should().Throw<ObjectDisposedException>();
        ((Action)(() => onnx.Evaluate(TinyData.Examples))).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Predict_AfterDispose_ObjectNameIsTheClassName()
    {
        NerClassifier torch = Tiny();
        string onnxPath = _folder.File("named.onnx");
        torch.ExportOnnx(onnxPath);
        OnnxNerClassifier onnx = OnnxNerClassifier.Load(onnxPath);
        torch.Dispose();
        onnx.Dispose();

        ((Action)(() => torch.Predict("Paris"))).Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(nameof(NerClassifier));
        ((Action)(() => onnx.Predict("Paris"))).Should().Throw<ObjectDisposedException>().Which.ObjectName.Should().Be(nameof(OnnxNerClassifier));
    }

    [Fact]
    public async Task Dispose_WhilePredictionsRun_WaitsForThemAndRefusesLaterCalls()
    {
        NerClassifier classifier = Tiny();
        using var started = new CountdownEvent(4);
        var unexpected = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        int completed = 0;
        Task[] callers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            started.Signal();
            while (true)
            {
                try
                {
                    classifier.PredictBatch(["John Smith visited Paris today .", "Mary won the match in London ."]).Should().HaveCount(2);
                    Interlocked.Increment(ref completed);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (Exception e)
                {
                    unexpected.Add(e);
                    return;
                }
            }
        })).ToArray();

        started.Wait();
        await Task.Delay(200);
        classifier.Dispose();
        await Task.WhenAll(callers);

        unexpected.Should().BeEmpty();
        completed.Should().BePositive();
    }

    [Fact]
    public void Save_Safetensors_CarriesTheFormatMetadataTransformersReads()
    {
        using NerClassifier classifier = Tiny();
        classifier.Save(_folder.Path);

        using FileStream stream = File.OpenRead(_folder.File("model.safetensors"));
        var length = new byte[8];
        stream.ReadExactly(length);
        var header = new byte[BinaryPrimitives.ReadUInt64LittleEndian(length)];
        stream.ReadExactly(header);
        JsonNode json = JsonNode.Parse(Encoding.UTF8.GetString(header))!;

        json["__metadata__"]!["format"]!.GetValue<string>().Should().Be("pt");
        (8 + header.Length).Should().Be(8 * ((8 + header.Length) / 8), "the data starts 8-byte aligned");
    }

    [Fact]
    public void Load_SavedModel_PredictsTheSameAndKeepsItsConfig()
    {
        using NerClassifier classifier = Tiny();
        classifier.Save(_folder.Path);

        using NerClassifier loaded = NerClassifier.Load(_folder.Path);

        loaded.Config.Should().BeEquivalentTo(classifier.Config, o => o.Excluding(c => c.LibraryVersion));
        loaded.Predict("John Smith visited Paris").Tags.Should().Equal(classifier.Predict("John Smith visited Paris").Tags);
    }

    [Fact]
    public void Load_VocabularyLargerThanTheEncoder_IsRefusedNamingBothFiles()
    {
        using (NerClassifier classifier = Tiny())
        {
            classifier.Save(_folder.Path);
        }

        File.AppendAllLines(_folder.File("vocab.txt"), Enumerable.Range(0, 50).Select(i => $"extra{i}"));

        Action load = () => NerClassifier.Load(_folder.Path);

        load.Should().Throw<InvalidDataException>().WithMessage("*vocab.txt*vocab_size*");
    }

    [Theory]
    [InlineData("stride", "600", "*stride*")]
    [InlineData("max_length", "\"long\"", "*config.json*nerclassify.max_length*")]
    [InlineData("token_labels", "5", "*config.json*nerclassify.token_labels*")]
    public void Load_InvalidConfigSection_IsRefusedNamingTheFileAndKey(string key, string json, string message)
    {
        using (NerClassifier classifier = Tiny())
        {
            classifier.Save(_folder.Path);
        }

        JsonNode config = JsonNode.Parse(File.ReadAllText(_folder.File("config.json")))!;
        config["nerclassify"]![key] = JsonNode.Parse(json);
        File.WriteAllText(_folder.File("config.json"), config.ToJsonString());

        Action load = () => NerClassifier.Load(_folder.Path);

        load.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public async Task TrainAsync_ConllFiles_TrainsAndEvaluatesFromFiles()
    {
        string train = _folder.File("train.conll");
        File.WriteAllText(train, string.Join("\n\n", TinyData.Examples.Select(e => string.Join("\n", e.Words.Zip(e.Tags!, (w, t) => $"{w} {t}")))) + "\n");
        using var pretrained = new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary());
        using NerClassifier classifier = NerClassifier.Create(pretrained, TinyData.TokenLabels);

        TrainingHistory history = await classifier.TrainAsync(new TrainingFiles(train, Validation: train), new TrainerOptions { Epochs = 2, LearningRate = 1e-3 });
        EvaluationResult scores = await classifier.EvaluateAsync(train);

        history.Epochs.Should().HaveCount(2);
        history.Epochs[^1].Validation!.Entities!.F1.Should().Be(scores.Entities!.F1);
        scores.Sentences.Should().BeNull();
        classifier.Config.TrainedOn.Should().Be($"{TinyData.Examples.Count} labelled sentences: every sentence of train.conll");
    }

    [Fact]
    public async Task LoadTextLabelsAsync_QuotedCsv_ReadsTextAndLabelInAnyColumnOrder()
    {
        string path = _folder.File("topics.csv");
        File.WriteAllText(path, "label,text\nSport,\"Mary won, again, in London.\"\nWorld,\"He said \"\"no\"\" in Paris\"\n");

        IReadOnlyList<TrainingExample> examples = await TrainingData.LoadTextLabelsAsync(path);

        examples.Select(e => e.SentenceLabel).Should().Equal("Sport", "World");
        examples[0].Words.Should().Equal("Mary", "won", ",", "again", ",", "in", "London", ".");
        examples[1].Words.Should().Contain("no");
        examples.Should().OnlyContain(e => e.Tags == null);
    }

    [Fact]
    public async Task LoadTextLabelsAsync_HeaderWithoutText_NamesFileAndLine()
    {
        string path = _folder.File("bad.tsv");
        File.WriteAllText(path, "sentence\tlabel\n0\tWorld\n");

        Func<Task> load = () => TrainingData.LoadTextLabelsAsync(path);

        await load.Should().ThrowAsync<FormatException>().WithMessage($"{path}:1:*'text'*");
    }

    [Fact]
    public async Task AddKeyedNerClassify_TwoModels_ResolveSeparatelyAndWarmUpBeforeTheHealthCheckPasses()
    {
        string token = Path.Combine(_folder.Path, "token");
        string topic = Path.Combine(_folder.Path, "topic");
        using (NerClassifier t = Tiny())
        {
            t.Save(token);
        }

        using (var pretrained = new PretrainedEncoder(TinyBert.Encoder(), TinyBert.Vocabulary()))
        using (NerClassifier s = NerClassifier.Create(pretrained, null, TinyData.Topics))
        {
            s.Save(topic);
        }

        var services = new ServiceCollection()
            .AddKeyedNerClassify("entities", o => o.ModelPath = token)
            .AddKeyedNerClassify("topics", o => { o.ModelPath = topic; o.BatchSize = 4; });
        await using ServiceProvider provider = services.BuildServiceProvider();
        var health = new NerClassifyHealthCheck(provider);

        (await health.CheckHealthAsync(new HealthCheckContext())).Status.Should().Be(HealthStatus.Degraded);
        foreach (IHostedService hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        (await health.CheckHealthAsync(new HealthCheckContext())).Status.Should().Be(HealthStatus.Healthy);
        INerPredictor entities = provider.GetRequiredKeyedService<INerPredictor>("entities");
        INerPredictor topics = provider.GetRequiredKeyedService<INerPredictor>("topics");
        entities.Config.Task.Should().Be(TaskKind.Token);
        topics.Config.Task.Should().Be(TaskKind.Sequence);
        ((NerClassifier)topics).Options.BatchSize.Should().Be(4);
        provider.GetRequiredKeyedService<NerClassifier>("entities").Should().BeSameAs(entities);
    }

    [Fact]
    public void AddNerClassify_Configuration_BindsTheSectionAndRejectsUnknownKeys()
    {
        using (NerClassifier t = Tiny())
        {
            t.Save(_folder.Path);
        }

        IConfiguration good = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelPath"] = _folder.Path,
            ["BatchSize"] = "3",
            ["WarmUp"] = "false",
        }).Build();
        IConfiguration bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelPath"] = _folder.Path,
            ["BatchSzie"] = "3",
        }).Build();

        using ServiceProvider provider = new ServiceCollection().AddNerClassify(good).BuildServiceProvider();
        Action misspelt = () => new ServiceCollection().AddNerClassify(bad);

        provider.GetRequiredService<NerClassifier>().Options.BatchSize.Should().Be(3);
        provider.GetRequiredService<INerPredictor>().Should().BeSameAs(provider.GetRequiredService<NerClassifier>());
        misspelt.Should().Throw<InvalidOperationException>().WithMessage("*BatchSzie*");
    }

    [Fact]
    public void Create_SameSeed_StartsFromTheSameHeads()
    {
        string[] Tags(int seed, int disturb)
        {
            using var pretrained = new PretrainedEncoder(TinyBert.Encoder(seed: 4), TinyBert.Vocabulary());
            TorchSharp.torch.manual_seed(disturb);
            using NerClassifier classifier = NerClassifier.Create(pretrained, TinyData.TokenLabels, TinyData.Topics, new ModelOptions { Seed = seed });
            Prediction p = classifier.Predict("John Smith visited Paris and Berlin with Mary Jones");
            return [.. p.Tags, p.Sentence!.Label, p.Sentence.Probability.ToString("R", System.Globalization.CultureInfo.InvariantCulture)];
        }

        Tags(seed: 7, disturb: 1).Should().Equal(Tags(seed: 7, disturb: 2));
        Tags(seed: 7, disturb: 1).Should().NotEqual(Tags(seed: 8, disturb: 1));
    }

    private static NerClassifier Tiny()
    {
        var pretrained = new PretrainedEncoder(TinyBert.Encoder(seed: 4, addPooler: false), TinyBert.Vocabulary());
        return NerClassifier.Create(pretrained, TinyData.TokenLabels, options: new ModelOptions { MaxLength = 64, Stride = 16 });
    }
}
