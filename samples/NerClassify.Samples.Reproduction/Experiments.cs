using NerClassify.Encoders;
using NerClassify.Heads;
using NerClassify.Models;
using NerClassify.Pretrained;
using NerClassify.Training;

namespace NerClassify.Samples.Reproduction;

/// <summary>Trains and scores the report's three models on the MiniLM default encoder.</summary>
internal sealed class Experiments(ReproductionOptions options, Corpus corpus)
{
    public async Task<RunResult> RunAsync(string model, int trainSize, int seed)
    {
        var rows = corpus.TrainRows.Take(trainSize).ToArray();
        TorchSharp.torch.manual_seed(seed);
        PretrainedEncoder pretrained = PretrainedEncoders.MiniLmL6V2(new EncoderLoadOptions { Compute = Compute });
        var head = new TokenHeadOptions { CasingEmbeddingSize = options.CasingEmbedding, HiddenLayerSize = options.HiddenLayer, CasingInput = options.CasingInput };
        using TaskModel taskModel = model switch
        {
            "token" => new TokenClassificationModel(pretrained.Encoder, corpus.TokenLabels, headOptions: head),
            "sequence" => new SequenceClassificationModel(pretrained.Encoder, corpus.Topics),
            "multitask" => new MultitaskModel(pretrained.Encoder, corpus.TokenLabels, corpus.Topics, new MultitaskLossOptions(), tokenHeadOptions: head),
            "uncertainty" => new MultitaskModel(pretrained.Encoder, corpus.TokenLabels, corpus.Topics, new MultitaskLossOptions { Weighting = LossWeighting.Uncertainty }, tokenHeadOptions: head),
            _ => throw new ArgumentException($"Unknown model '{model}'."),
        };

        bool tags = taskModel.TokenLabels is not null;
        bool topics = taskModel.SequenceLabels is not null;
        var trainer = new Trainer(new TrainerOptions
        {
            LearningRate = options.LearningRate,
            Epochs = model is "multitask" or "uncertainty" ? options.MultitaskEpochs : options.Epochs,
            BatchSize = options.BatchSize,
            WarmupRatio = options.WarmupRatio,
            Seed = seed,
            EvaluateEveryEpoch = false,
            ConstrainedDecoding = options.ConstrainedDecoding,
            FreezeWordEmbeddings = options.FreezeWordEmbeddings,
            Compute = Compute,
        });
        TrainingHistory history = await trainer.TrainAsync(taskModel, pretrained.Vocabulary, Corpus.ToExamples(rows, tags, topics));

        EvaluationResult? ner = tags ? trainer.Evaluate(taskModel, pretrained.Vocabulary, corpus.NerValidation) : null;
        EvaluationResult? topic = topics ? trainer.Evaluate(taskModel, pretrained.Vocabulary, corpus.TopicValidation) : null;
        if (options.CompareDecoding && ner?.Entities is { } constrained)
        {
            var argmax = new Trainer(trainer.Options with { ConstrainedDecoding = !trainer.Options.ConstrainedDecoding })
                .Evaluate(taskModel, pretrained.Vocabulary, corpus.NerValidation).Entities!;
            Console.WriteLine(
                $"  decoding: {(trainer.Options.ConstrainedDecoding ? "BIO-constrained" : "argmax")} F1 {constrained.F1 * 100:F2}, " +
                $"{(trainer.Options.ConstrainedDecoding ? "argmax" : "BIO-constrained")} F1 {argmax.F1 * 100:F2} (same model)");
        }

        var matrix = topic?.Sentences?.ConfusionMatrix;
        EvaluationResult? nerTest = tags && corpus.NerTest is { } nerTestSet ? trainer.Evaluate(taskModel, pretrained.Vocabulary, nerTestSet) : null;
        EvaluationResult? topicTest = topics && corpus.TopicTest is { } topicTestSet ? trainer.Evaluate(taskModel, pretrained.Vocabulary, topicTestSet) : null;
        var result = new RunResult(
            model,
            trainSize,
            seed,
            ner?.Entities?.F1 * 100,
            ner?.Entities?.TokenAccuracy * 100,
            topic?.Sentences?.WeightedF1 * 100,
            topic?.Sentences?.Accuracy * 100,
            history.Epochs.Average(e => e.TrainSeconds),
            history.Epochs.Average(e => e.ExamplesPerSecond),
            matrix?.Counts.Select(r => r.ToArray()).ToArray(),
            nerTest?.Entities?.F1 * 100,
            nerTest?.Entities?.TokenAccuracy * 100,
            topicTest?.Sentences?.WeightedF1 * 100,
            topicTest?.Sentences?.Accuracy * 100);
        Console.WriteLine(
            $"{model,-11} N={trainSize,5} seed={seed}: NER F1 {Format(result.EntityF1)} acc {Format(result.TokenAccuracy)} | " +
            $"topic F1 {Format(result.TopicWeightedF1)} acc {Format(result.TopicAccuracy)} | {result.SecondsPerEpoch:F1} s/epoch, {result.ExamplesPerSecond:F1} ex/s");
        return result;
    }

    private ComputeOptions Compute => new() { Device = DeviceKind.Auto, Threads = options.Threads };

    public static string Format(double? value) => value is { } v ? $"{v:F1}" : "  - ";
}
