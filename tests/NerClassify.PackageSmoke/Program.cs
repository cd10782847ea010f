using NerClassify;
using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Training;

// A consumer of the packed packages: train a tiny NER model, save it, load it in a new instance and predict.
string[] tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "john", "lives", "in", "paris", "mary", "visited", "london", "."];
var config = new BertConfig { VocabSize = tokens.Length, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 20, MaxPositionEmbeddings = 32 };
using var encoder = new PretrainedEncoder(new BertEncoder(config, addPooler: false), new BertVocabulary(tokens, lowerCase: true));
TrainingExample[] train =
[
    new(["John", "lives", "in", "Paris", "."], ["B-PER", "O", "O", "B-LOC", "O"]),
    new(["Mary", "visited", "London", "."], ["B-PER", "O", "B-LOC", "O"]),
];
using (var model = NerClassifier.Create(encoder, ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"], options: new ModelOptions { MaxLength = 32, Stride = 8 }))
{
    await model.TrainAsync(train, options: new TrainerOptions { Epochs = 1, Encoding = new() { MaxLength = 32, Stride = 8 } });
    model.Save("smoke-model");
}

using var loaded = NerClassifier.Load("smoke-model");
var prediction = loaded.Predict("Mary lives in London.");
Console.WriteLine($"package smoke: {prediction.Words.Count} words, tags {string.Join(' ', prediction.Tags)}");
return prediction.Words.Count == 5 && prediction.Tags.Count == 5 ? 0 : 1;
