using System.Diagnostics;
using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Pretrained;

namespace NerClassify.Benchmarks;

/// <summary>
/// `--predict path/to/valid.txt`: sentences per second of NerClassifier over a CoNLL file (batch 32, MiniLM),
/// for one multitask model against the two single-task models run one after the other.
/// </summary>
internal static class PredictionThroughput
{
    public static async Task RunAsync(string conllPath)
    {
        ConllCorpus corpus = await new ConllReader().LoadAsync(conllPath);
        IReadOnlyList<string>[] sentences = corpus.Sentences.Select(s => s.Words).ToArray();
        var options = new PredictorOptions { BatchSize = 32, Compute = new ComputeOptions { Device = DeviceKind.Cpu, Threads = BenchmarkInputs.Threads } };
        var load = new EncoderLoadOptions { Compute = options.Compute };

        using var multitask = Classifier(new MultitaskModel(PretrainedEncoders.MiniLmL6V2(load).Encoder, BenchmarkInputs.TokenLabels, BenchmarkInputs.Topics), options);
        using var token = Classifier(new TokenClassificationModel(PretrainedEncoders.MiniLmL6V2(load).Encoder, BenchmarkInputs.TokenLabels), options);
        using var sequence = Classifier(new SequenceClassificationModel(PretrainedEncoders.MiniLmL6V2(load).Encoder, BenchmarkInputs.Topics), options);
        multitask.PredictBatch(sentences.Take(64).ToArray());

        double multitaskSeconds = Time(() => multitask.PredictBatch(sentences));
        double singleSeconds = Time(() =>
        {
            token.PredictBatch(sentences);
            sequence.PredictBatch(sentences);
        });
        Console.WriteLine($"{sentences.Length} sentences of {Path.GetFileName(conllPath)}, batch 32, {BenchmarkInputs.Threads} threads:");
        Console.WriteLine($"  multitask model (entities + topic, one pass): {sentences.Length / multitaskSeconds,7:F1} sentences/s ({multitaskSeconds:F1} s)");
        Console.WriteLine($"  token model then sequence model:              {sentences.Length / singleSeconds,7:F1} sentences/s ({singleSeconds:F1} s)");
    }

    private static NerClassifier Classifier(TaskModel model, PredictorOptions options)
    {
        var vocabulary = PretrainedEncoders.MiniLmL6V2().Vocabulary;
        return NerClassifier.FromModel(model, vocabulary, options);
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
