using NerClassify.OnnxRuntime;
using System.Diagnostics;
using FluentAssertions;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Export;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Pretrained;
using NerClassify.Tests.TestSupport;
using NerClassify.Training;
using Xunit.Abstractions;

namespace NerClassify.Tests.Export;

/// <summary>The real MiniLM default, fine-tuned for a few steps, exported and run by ONNX Runtime.</summary>
[Collection(TorchCollection.Name)]
public sealed class MiniLmOnnxExportTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[][] Sentences =
    [
        ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."],
        ["Peter", "Blackburn"],
        ["BRUSSELS", "1996-08-22"],
        ["The", "European", "Commission", "said", "on", "Thursday", "it", "disagreed", "with", "German", "advice", "to", "consumers", "."],
        ["Slask", "Wroclaw", "3", "Odra", "Wodzislaw", "1"],
        ["Lamonts", "said", "it", "plans", "to", "issue", "9", "million", "shares", "of", "new", "common", "stock", "."],
        ["Café", "owners", "in", "Zürich", "say", "naïve", "tourists", "pay", "€", "5", "for", "coffee", "!"],
        ["Results", "of", "English", "league", "soccer", "matches", "on", "Saturday", ":"],
        ["John", "Smith", "visited", "Paris", "today", "."],
        ["Google", "shares", "rose", "in", "New", "York", "."],
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("nerclassify-onnx-minilm-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Export_FineTunedMiniLmMultitask_MatchesTorchSharpLogitsAndPredictions()
    {
        PretrainedEncoder pretrained = PretrainedEncoders.MiniLmL6V2();
        using var model = new MultitaskModel(pretrained.Encoder, TinyData.TokenLabels, TinyData.Topics);
        TrainingExample[] train = [.. TinyData.Examples, .. TinyData.Examples, .. TinyData.Examples];
        var options = new TrainerOptions { LearningRate = 1e-4, Epochs = 1, BatchSize = 6, EvaluateEveryEpoch = false, Seed = 7 };
        await new Trainer().TrainAsync(model, new TrainingSet(pretrained.Vocabulary, train), options); // 3 batches
        model.eval();
        string path = Path.Combine(_folder, OnnxExporter.FileName);
        OnnxExporter.Export(model, path, new OnnxExportOptions { LowerCase = pretrained.Vocabulary.LowerCase });

        Batch batch = ExportedGraph.BatchOf(model, pretrained.Vocabulary, Sentences);
        (float[]? tokens, float[]? sequences) = ExportedGraph.TorchLogits(model, batch);
        var onnx = ExportedGraph.OnnxRun(path, batch);
        float tokenDiff = ExportedGraph.MaxAbsDifference(tokens!, onnx[OnnxTensorNames.TokenLogits].Values);
        float sequenceDiff = ExportedGraph.MaxAbsDifference(sequences!, onnx[OnnxTensorNames.SequenceLogits].Values);
        output.WriteLine($"MiniLM multitask after 3 steps, [{batch.BatchSize}, {batch.SequenceLength}]: max |diff| token {tokenDiff:E2}, sequence {sequenceDiff:E2}");

        var torchClassifier = NerClassifier.FromModel(model, pretrained.Vocabulary, new PredictorOptions { BatchSize = 4 });
        torchClassifier.ExportOnnx(path);
        using OnnxNerClassifier onnxClassifier = OnnxNerClassifier.Load(path, new PredictorOptions { BatchSize = 4 });
        string[] expected = torchClassifier.PredictBatch(Sentences).Select(ExportedGraph.Describe).ToArray();
        string[] actual = onnxClassifier.PredictBatch(Sentences).Select(ExportedGraph.Describe).ToArray();

        batch.AttentionMask.Should().Contain(0);
        tokenDiff.Should().BeLessThan(1e-4f);
        sequenceDiff.Should().BeLessThan(1e-4f);
        actual.Should().Equal(expected);
        ExportedGraph.UnusedInitializers(ExportedGraph.Parse(path)).Should().BeEmpty();
    }

    [PerfFact]
    public async Task Predict_ConllValid_ReportsSentencesPerSecondForBothBackends()
    {
        string data = Environment.GetEnvironmentVariable("NERCLASSIFY_CONLL_VALID") ?? TestPaths.DataFile("conll2003", "valid.txt")
            ?? throw new InvalidOperationException("Set NERCLASSIFY_CONLL_VALID to CoNLL-2003 valid.txt.");
        ConllCorpus corpus = await new ConllReader().LoadAsync(data);
        IReadOnlyList<string>[] sentences = corpus.Sentences.Select(s => (IReadOnlyList<string>)s.Words.ToArray()).ToArray();
        PretrainedEncoder pretrained = PretrainedEncoders.MiniLmL6V2();
        using var model = new MultitaskModel(pretrained.Encoder, TinyData.TokenLabels, TinyData.Topics);
        model.eval();
        string path = Path.Combine(_folder, OnnxExporter.FileName);
        OnnxExporter.Export(model, path, new OnnxExportOptions { LowerCase = true });
        var options = new PredictorOptions { BatchSize = 32, Compute = new ComputeOptions { Device = DeviceKind.Cpu, Threads = 2 } };
        int previousThreads = TorchSharp.torch.get_num_threads();
        TorchSharp.torch.set_num_threads(2);
        try
        {
            var torchClassifier = NerClassifier.FromModel(model, pretrained.Vocabulary, options);
            torchClassifier.ExportOnnx(path);
            using OnnxNerClassifier onnxClassifier = OnnxNerClassifier.Load(path, options);
            (double torchRate, Prediction[] torchPredictions) = Measure(torchClassifier, sentences);
            (double onnxRate, Prediction[] onnxPredictions) = Measure(onnxClassifier, sentences);
            int same = torchPredictions.Zip(onnxPredictions).Count(p => ExportedGraph.Describe(p.First) == ExportedGraph.Describe(p.Second));
            output.WriteLine($"CoNLL valid, {sentences.Length} sentences, MiniLM multitask, batch 32, 2 threads");
            output.WriteLine($"TorchSharp:   {torchRate:F1} sentences/s");
            output.WriteLine($"ONNX Runtime: {onnxRate:F1} sentences/s ({onnxRate / torchRate:F2}x)");
            output.WriteLine($"identical predictions: {same}/{sentences.Length}");
        }
        finally
        {
            TorchSharp.torch.set_num_threads(previousThreads);
        }
    }

    private static (double Rate, Prediction[] Predictions) Measure(INerPredictor classifier, IReadOnlyList<string>[] sentences)
    {
        classifier.PredictBatch(sentences.Take(64).ToArray()); // warm-up
        var clock = Stopwatch.StartNew();
        Prediction[] predictions = classifier.PredictBatch(sentences).ToArray();
        return (sentences.Length / clock.Elapsed.TotalSeconds, predictions);
    }
}
