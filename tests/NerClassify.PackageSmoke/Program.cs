using NerClassify.Encoders;
using NerClassify.Encoders.Bert;
using NerClassify.Inference;
using NerClassify.Models;

// A consumer of the packed library: build a tiny random model and run one prediction.
string[] tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "paris", "."];
var vocabulary = new BertVocabulary(tokens, lowerCase: true);
var config = new BertConfig { VocabSize = tokens.Length, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 20, MaxPositionEmbeddings = 32 };
var model = new TokenClassificationModel(new BertEncoder(config, addPooler: false), ["O", "B-LOC", "I-LOC"]);
using var classifier = new NerClassifier(model, vocabulary);
Prediction prediction = classifier.Predict("Hello Paris.");
Console.WriteLine($"package smoke: {prediction.Words.Count} words, tags {string.Join(' ', prediction.Tags)}");
return prediction.Words.Count == 3 && prediction.Tags.Count == 3 ? 0 : 1;
