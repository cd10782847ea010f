using NerClassify;
using NerClassify.Configuration;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Heads;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Samples.CustomHead;
using NerClassify.Tokenization;
using NerClassify.Training;

// Heads of your own in a multitask model: a two-layer perceptron for the entity tags and a mean+max pooling head for
// the sentence classes. Trained with the library's Trainer, saved, loaded again (the heads are found through a
// HeadRegistry under the names config.json records) and used through NerClassifier. Exits 1 when the reloaded model
// predicts differently from the one that was saved.
string work = Directory.CreateTempSubdirectory("nerclassify-customhead-").FullName;
try
{
    // 1. Tiny data, written as a user's files would be: a CoNLL file and a sentence-label file joined to it.
    (string Words, string Tags, string Topic)[] sentences =
    [
        ("John visited Paris .", "B-PER O B-LOC O", "Travel"),
        ("Mary visited London today .", "B-PER O B-LOC O O", "Travel"),
        ("John won the match .", "B-PER O O O O", "Sport"),
        ("Mary won the game in Paris .", "B-PER O O O O B-LOC O", "Sport"),
        ("Google shares won in London .", "B-ORG O O O B-LOC O", "Business"),
        ("Microsoft shares fell .", "B-ORG O O O", "Business"),
    ];
    string conll = Path.Combine(work, "train.conll");
    string labels = Path.Combine(work, "train-topics.tsv");
    File.WriteAllLines(conll, sentences.SelectMany(s => s.Words.Split(' ').Zip(s.Tags.Split(' '), (word, tag) => $"{word} {tag}").Append(string.Empty)));
    File.WriteAllLines(labels, sentences.Select((s, i) => $"{i}\t{s.Topic}\t{s.Words}").Prepend(SentenceLabelFile.Header));
    IReadOnlyList<TrainingExample> train = await TrainingData.LoadAsync(TaskKind.Multitask, conll, labels);

    // 2. A small random BERT encoder (a real one: PretrainedEncoder.Load or FromPretrainedAsync, then TakeEncoder()).
    string[] tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "john", "mary", "visited", "won", "the", "match", "game", "in",
        "paris", "london", "today", "google", "microsoft", "shares", "fell", "."];
    var vocabulary = new BertVocabulary(tokens, lowerCase: true);
    TorchSharp.torch.manual_seed(7);
    var encoder = new BertEncoder(new BertConfig { VocabSize = tokens.Length, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 37, MaxPositionEmbeddings = 64 });

    // 3. The model, from its layers: one encoder, two heads of our own, the report's loss weights.
    string[] tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"];
    string[] topics = ["Business", "Sport", "Travel"];
    var model = new MultitaskModel(
        encoder,
        tags,
        topics,
        new MultitaskLossOptions { SequenceWeight = 1, TokenWeight = 7 },
        tokenHead: new MlpTokenHead(encoder.HiddenSize, tags.Length),
        sequenceHead: new MeanMaxSentenceHead(encoder.HiddenSize, topics.Length));

    // 4. The library's Trainer trains any task model.
    var options = new TrainerOptions { Epochs = 30, BatchSize = 3, LearningRate = 3e-3, Schedule = LearningRateSchedule.Constant, MaxLength = 32, Stride = 8, Seed = 7 };
    TrainingHistory history = await new Trainer().TrainAsync(model, new TrainingSet(vocabulary, train, train), options);
    EvaluationResult? scores = history.Epochs[^1].Validation;
    Console.WriteLine($"Trained {history.Epochs.Count} epochs: loss {history.Epochs[0].TrainLoss:F3} -> {history.Epochs[^1].TrainLoss:F3}; on its training data entity F1 {scores?.Score(SelectionMetric.EntityF1):F2}, sentence accuracy {scores?.Sentences?.Accuracy:F2}");

    // 5. The registry names each head type; config.json records the names when the model is saved.
    HeadRegistry heads = new HeadRegistry()
        .AddTokenHead(MlpTokenHead.TypeName, context => new MlpTokenHead(context.InputSize, context.LabelCount))
        .AddSequenceHead(MeanMaxSentenceHead.TypeName, context => new MeanMaxSentenceHead(context.InputSize, context.LabelCount));
    string[] texts = ["Mary visited Paris today.", "Microsoft shares won in London.", "John won the game."];
    string directory = Path.Combine(work, "model");
    IReadOnlyList<Prediction> before;
    using (NerClassifier classifier = NerClassifier.FromModel(model, vocabulary, heads: heads))
    {
        before = classifier.PredictBatch(texts);
        classifier.Save(directory);

        // 6. ONNX export writes the graph of the library's heads only: for ours it refuses, naming the head and why.
        try
        {
            classifier.ExportOnnx(Path.Combine(work, "model.onnx"));
            Console.WriteLine("ONNX export: written.");
        }
        catch (NotSupportedException e)
        {
            Console.WriteLine($"ONNX export refused: {e.Message}");
            if (!e.Message.Contains(MlpTokenHead.TypeName, StringComparison.Ordinal))
            {
                Console.Error.WriteLine("The refusal does not name the custom head.");
                return 1;
            }
        }
    }

    // 7. Load it again: the registry builds the heads config.json names, then the weights are loaded into them.
    using NerClassifier loaded = NerClassifier.Load(directory, heads: heads);
    IReadOnlyList<Prediction> after = loaded.PredictBatch(texts);
    Console.WriteLine($"config.json heads: {loaded.Config.TokenHeadType}, {loaded.Config.SequenceHeadType}");
    bool same = true;
    for (int i = 0; i < texts.Length; i++)
    {
        Prediction a = before[i], b = after[i];
        string entities = string.Join(", ", b.Entities.Select(e => $"{e.Text}/{e.Type}"));
        Console.WriteLine($"{texts[i]} -> [{entities}] {b.Sentence?.Label} ({b.Sentence?.Probability:F3})");
        same &= a.Tags.SequenceEqual(b.Tags) && a.Sentence?.Label == b.Sentence?.Label
            && Math.Abs((a.Sentence?.Probability ?? 0) - (b.Sentence?.Probability ?? 0)) < 1e-6;
    }

    if (!same)
    {
        Console.Error.WriteLine("The reloaded model predicts differently from the saved one.");
        return 1;
    }

    Console.WriteLine("The reloaded model predicts exactly as the saved one.");
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}
