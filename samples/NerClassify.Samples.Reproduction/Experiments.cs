using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Metrics;
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
        using PretrainedEncoder pretrained = PretrainedEncoders.MiniLmL6V2(new EncoderLoadOptions { Compute = Compute });
        bool tags = model is not "sequence";
        bool topics = model is not "token";
        var modelOptions = new ModelOptions
        {
            TokenHead = new TokenHeadOptions { CasingEmbeddingSize = options.CasingEmbedding, HiddenLayerSize = options.HiddenLayer, CasingInput = options.CasingInput, CharacterFeatures = options.CharacterFeatures, Crf = options.Crf },
            SentencePooling = options.MeanPooling ? SentencePooling.Mean : SentencePooling.Cls,
            Loss = new MultitaskLossOptions { Weighting = model == "uncertainty" ? LossWeighting.Uncertainty : LossWeighting.Fixed, SequenceWeight = options.SequenceWeight },
            Predictor = new PredictorOptions { ConstrainedDecoding = options.ConstrainedDecoding, BatchSize = 64, Compute = Compute },
        };
        using NerClassifier classifier = model is "token" or "sequence" or "multitask" or "uncertainty"
            ? NerClassifier.Create(pretrained, tags ? corpus.TokenLabels : null, topics ? corpus.Topics : null, modelOptions)
            : throw new ArgumentException($"Unknown model '{model}'.");
        var trainerOptions = new TrainerOptions
        {
            LearningRate = options.LearningRate,
            Epochs = model is "multitask" or "uncertainty" ? options.MultitaskEpochs : options.Epochs,
            BatchSize = options.BatchSize,
            WarmupRatio = options.WarmupRatio,
            Seed = seed,
            EvaluateEveryEpoch = false,
            ConstrainedDecoding = options.ConstrainedDecoding,
            FreezeWordEmbeddings = options.FreezeWordEmbeddings,
            HeadLearningRateMultiplier = options.HeadLearningRateMultiplier,
            LayerLearningRateDecay = options.LayerDecay,
            AverageLastEpochs = options.AverageLastEpochs,
            Compute = Compute,
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TrainingExample[] labelled = Corpus.ToExamples(rows, tags, topics);
        TrainingHistory history = options.SelfTraining
            ? await classifier.SelfTrainAsync(
                labelled,
                corpus.Unlabelled(rows, options.UnlabelledSentences),
                new SelfTrainingOptions
                {
                    MinTagConfidence = options.MinConfidence,
                    MinSentenceConfidence = options.MinConfidence,
                    MaxSentences = options.MaxPseudo,
                    StudentEpochs = options.StudentEpochs,
                    Rounds = options.Rounds,
                },
                options: trainerOptions)
            : await classifier.TrainAsync(labelled, options: trainerOptions);
        double trainingSeconds = clock.Elapsed.TotalSeconds;

        EvaluationResult? ner, topic, nerTest = null, topicTest = null, alone = null, aloneTest = null;
        if (options.DocumentContext)
        {
            // Every sentence predicted alone, then revised by its document; both scored, the revised ones reported.
            (alone, EvaluationResult inContext) = EvaluateInDocuments(classifier, corpus.ValidSentences, corpus.ValidTopics);
            (ner, topic) = (tags ? inContext : null, topics ? inContext : null);
            if (corpus.TestSentences is { } testSentences)
            {
                (aloneTest, EvaluationResult testInContext) = EvaluateInDocuments(classifier, testSentences, corpus.TestTopics ?? new Dictionary<int, string>());
                (nerTest, topicTest) = (tags ? testInContext : null, topics && corpus.TestTopics is not null ? testInContext : null);
            }

            Console.WriteLine(
                $"  document context: NER F1 {Format(alone.Entities?.F1 * 100)} -> {Format(ner?.Entities?.F1 * 100)}, " +
                $"topic F1 {Format(alone.Sentences?.WeightedF1 * 100)} -> {Format(topic?.Sentences?.WeightedF1 * 100)} (same model, sentence alone -> in its document)");
        }
        else
        {
            ner = tags ? classifier.Evaluate(corpus.NerValidation) : null;
            topic = topics ? classifier.Evaluate(corpus.TopicValidation) : null;
            nerTest = tags && corpus.NerTest is { } nerTestSet ? classifier.Evaluate(nerTestSet) : null;
            topicTest = topics && corpus.TopicTest is { } topicTestSet ? classifier.Evaluate(topicTestSet) : null;
        }

        if (options.CompareDecoding && (alone ?? ner)?.Entities is { } constrained)
        {
            // The same weights decoded the other way, sentence alone on both sides: save once, load with the other decoding.
            string folder = Path.Combine(Path.GetTempPath(), $"nerclassify-decoding-{Environment.ProcessId}");
            classifier.Save(folder);
            using NerClassifier other = NerClassifier.Load(folder, modelOptions.Predictor with { ConstrainedDecoding = !options.ConstrainedDecoding });
            EntityReport argmax = other.Evaluate(corpus.NerValidation).Entities!;
            Directory.Delete(folder, recursive: true);
            Console.WriteLine(
                $"  decoding: {(options.ConstrainedDecoding ? "BIO-constrained" : "argmax")} F1 {constrained.F1 * 100:F2}, " +
                $"{(options.ConstrainedDecoding ? "argmax" : "BIO-constrained")} F1 {argmax.F1 * 100:F2} (same model)");
        }

        var matrix = topic?.Sentences?.ConfusionMatrix;
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
            topicTest?.Sentences?.Accuracy * 100,
            trainingSeconds,
            classifier.Config.TrainedOn,
            tags ? alone?.Entities?.F1 * 100 : null,
            topics ? alone?.Sentences?.WeightedF1 * 100 : null,
            tags ? aloneTest?.Entities?.F1 * 100 : null,
            topics && corpus.TestTopics is not null ? aloneTest?.Sentences?.WeightedF1 * 100 : null);
        Console.WriteLine(
            $"{model,-11} N={trainSize,5} seed={seed}: NER F1 {Format(result.EntityF1)} acc {Format(result.TokenAccuracy)} | " +
            $"topic F1 {Format(result.TopicWeightedF1)} acc {Format(result.TopicAccuracy)} | {result.SecondsPerEpoch:F1} s/epoch, {result.ExamplesPerSecond:F1} ex/s, trained in {trainingSeconds:F0} s on {result.TrainedOn}");
        return result;
    }

    /// <summary>
    /// Predicts every sentence of a CoNLL file on its own, then revises each document's predictions with
    /// <see cref="DocumentContext"/>; scores both. Entities are scored on every sentence, topics on the labelled ones.
    /// </summary>
    private static (EvaluationResult Alone, EvaluationResult InContext) EvaluateInDocuments(
        NerClassifier classifier, IReadOnlyList<ConllSentence> sentences, IReadOnlyDictionary<int, string> topicOf)
    {
        IReadOnlyList<Prediction> predictions = classifier.PredictBatch(sentences.Select(s => s.Words).ToArray());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<Prediction> revised = DocumentContext.ApplyByDocument(predictions, sentences.Select(s => s.DocumentIndex).ToArray());
        Console.WriteLine($"  document context revised {sentences.Count} sentences in {clock.Elapsed.TotalMilliseconds:F1} ms");
        return (Score(predictions), Score(revised));

        EvaluationResult Score(IReadOnlyList<Prediction> predicted)
        {
            EntityReport? entities = classifier.Config.TokenLabels is null ? null
                : EntityMetrics.Compute(sentences.Select(s => s.Tags).ToArray(), predicted.Select(p => p.Tags).ToArray());
            int[] labelled = Enumerable.Range(0, sentences.Count).Where(i => topicOf.ContainsKey(sentences[i].Index)).ToArray();
            ClassificationReport? topics = classifier.Config.SequenceLabels is not { } classes || labelled.Length == 0 ? null
                : ClassificationMetrics.Compute(
                    labelled.Select(i => topicOf[sentences[i].Index]).ToArray(), labelled.Select(i => predicted[i].Sentence!.Label).ToArray(), classes);
            return new EvaluationResult(entities, topics);
        }
    }

    private ComputeOptions Compute => new() { Device = DeviceKind.Auto, Threads = options.Threads };

    public static string Format(double? value) => value is { } v ? $"{v:F1}" : "  - ";
}
