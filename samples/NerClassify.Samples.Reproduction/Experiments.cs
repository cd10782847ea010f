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
        using PretrainedEncoder pretrained = PretrainedEncoders.MiniLmL6V2(new EncoderLoadOptions { Compute = Compute });
        // The ceiling is the multitask model trained on every gold label there is, with nothing left to self-train on.
        bool ceiling = model == "ceiling";
        bool tags = model is not "sequence";
        bool topics = model is not "token";
        var modelOptions = new ModelOptions
        {
            TokenHead = new TokenHeadOptions { CasingEmbeddingSize = options.CasingEmbedding, HiddenLayerSize = options.HiddenLayer, CasingInput = options.CasingInput, CharacterFeatures = options.CharacterFeatures, Crf = options.Crf },
            SentencePooling = options.MeanPooling ? SentencePooling.Mean : SentencePooling.Cls,
            Loss = new MultitaskLossOptions { Weighting = model == "uncertainty" ? LossWeighting.Uncertainty : LossWeighting.Fixed, SequenceWeight = options.SequenceWeight },
            Predictor = new PredictorOptions { ConstrainedDecoding = options.ConstrainedDecoding, BatchSize = 64, Compute = Compute },
            Seed = seed,
        };
        using NerClassifier classifier = model is "token" or "sequence" or "multitask" or "uncertainty" or "ceiling"
            ? NerClassifier.Create(pretrained, tags ? corpus.TokenLabels : null, topics ? corpus.Topics : null, modelOptions)
            : throw new ArgumentException($"Unknown model '{model}'.");
        var trainerOptions = new TrainerOptions
        {
            LearningRate = options.LearningRate,
            Epochs = model is "multitask" or "uncertainty" or "ceiling" ? options.MultitaskEpochs : options.Epochs,
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
        TrainingExample[] labelled = ceiling ? corpus.AllGold() : Corpus.ToExamples(rows, tags, topics);
        TrainingHistory history = options.SelfTraining && !ceiling
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
        IReadOnlyDictionary<string, HalfScores>? halves = null;
        if (options.DocumentContext)
        {
            // Every sentence predicted alone, then revised by its document; both scored, the revised ones reported.
            (alone, EvaluationResult inContext, halves) = EvaluateInDocuments(classifier, corpus.ValidSentences, corpus.ValidTopics);
            (ner, topic) = (tags ? inContext : null, topics ? inContext : null);
            if (corpus.TestSentences is { } testSentences)
            {
                (aloneTest, EvaluationResult testInContext, _) = EvaluateInDocuments(classifier, testSentences, corpus.TestTopics ?? new Dictionary<int, string>());
                (nerTest, topicTest) = (tags ? testInContext : null, topics && corpus.TestTopics is not null ? testInContext : null);
            }

            Console.WriteLine(
                $"  document context: NER F1 {Format(alone.Entities?.F1 * 100)} -> {Format(ner?.Entities?.F1 * 100)}, " +
                $"topic F1 {Format(alone.Sentences?.WeightedF1 * 100)} -> {Format(topic?.Sentences?.WeightedF1 * 100)} (same model, sentence alone -> in its document)");
            foreach ((string half, HalfScores scores) in halves)
            {
                Console.WriteLine(
                    $"  valid {half} half ({scores.Sentences} sentences, {scores.TopicRows} topic rows): NER F1 {Format(scores.EntityF1SentenceAlone, "F2")} -> {Format(scores.EntityF1InDocument, "F2")}, " +
                    $"topic F1 {Format(scores.TopicWeightedF1SentenceAlone, "F2")} -> {Format(scores.TopicWeightedF1InDocument, "F2")} (sentence alone -> in its document)");
            }
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
            topics && corpus.TestTopics is not null ? aloneTest?.Sentences?.WeightedF1 * 100 : null,
            halves?.GetValueOrDefault(ValidHalves.Choose),
            halves?.GetValueOrDefault(ValidHalves.Report));
        Console.WriteLine(
            $"{model,-11} N={trainSize,5} seed={seed}: NER F1 {Format(result.EntityF1)} acc {Format(result.TokenAccuracy)} | " +
            $"topic F1 {Format(result.TopicWeightedF1)} acc {Format(result.TopicAccuracy)} | {result.SecondsPerEpoch:F1} s/epoch, {result.ExamplesPerSecond:F1} ex/s, trained in {trainingSeconds:F0} s on {result.TrainedOn}");
        return result;
    }

    /// <summary>
    /// Predicts every sentence of a CoNLL file on its own, then revises each document's predictions with
    /// <see cref="DocumentContext"/>; scores both. Entities are scored on every sentence, topics on the labelled ones.
    /// </summary>
    private static (EvaluationResult Alone, EvaluationResult InContext, IReadOnlyDictionary<string, HalfScores> Halves) EvaluateInDocuments(
        NerClassifier classifier, IReadOnlyList<ConllSentence> sentences, IReadOnlyDictionary<int, string> topicOf)
    {
        IReadOnlyList<Prediction> predictions = classifier.PredictBatch(sentences.Select(s => s.Words).ToArray());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<Prediction> revised = DocumentContext.ApplyByDocument(predictions, sentences.Select(s => s.DocumentIndex).ToArray());
        Console.WriteLine($"  document context revised {sentences.Count} sentences in {clock.Elapsed.TotalMilliseconds:F1} ms");
        int[] everySentence = Enumerable.Range(0, sentences.Count).ToArray();
        var halves = new Dictionary<string, HalfScores>(StringComparer.Ordinal);
        foreach (string half in new[] { ValidHalves.Choose, ValidHalves.Report })
        {
            // Document context ran per document, so a half's revised predictions never read the other half.
            int[] part = everySentence.Where(i => ValidHalves.Of(sentences[i].DocumentIndex) == half).ToArray();
            EvaluationResult partAlone = Score(predictions, part), partInDocument = Score(revised, part);
            halves[half] = new HalfScores(
                part.Length,
                part.Count(i => topicOf.ContainsKey(sentences[i].Index)),
                partAlone.Entities?.F1 * 100,
                partAlone.Sentences?.WeightedF1 * 100,
                partInDocument.Entities?.F1 * 100,
                partInDocument.Sentences?.WeightedF1 * 100);
        }

        return (Score(predictions, everySentence), Score(revised, everySentence), halves);

        EvaluationResult Score(IReadOnlyList<Prediction> predicted, int[] scored)
        {
            EntityReport? entities = classifier.Config.TokenLabels is null ? null
                : EntityMetrics.Compute(scored.Select(i => sentences[i].Tags).ToArray(), scored.Select(i => predicted[i].Tags).ToArray());
            int[] labelled = scored.Where(i => topicOf.ContainsKey(sentences[i].Index)).ToArray();
            ClassificationReport? topics = classifier.Config.SequenceLabels is not { } classes || labelled.Length == 0 ? null
                : ClassificationMetrics.Compute(
                    labelled.Select(i => topicOf[sentences[i].Index]).ToArray(), labelled.Select(i => predicted[i].Sentence!.Label).ToArray(), classes);
            return new EvaluationResult(entities, topics);
        }
    }

    private ComputeOptions Compute => new() { Device = DeviceKind.Auto, Threads = options.Threads };

    public static string Format(double? value, string format = "F1") => value is { } v ? v.ToString(format, System.Globalization.CultureInfo.InvariantCulture) : "  - ";
}
