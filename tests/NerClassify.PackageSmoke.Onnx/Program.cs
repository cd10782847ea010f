using System.Text.Json;
using NerClassify.Inference;
using NerClassify.OnnxRuntime;

// A deploy-only consumer of the packed packages (NerClassify.OnnxRuntime, no TorchSharp): loads the model that
// NerClassify.PackageSmoke trained and exported, predicts the same text and checks that it agrees with TorchSharp.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: NerClassify.PackageSmoke.Onnx <model directory>");
    return 2;
}

using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(args[0], "prediction.json")));
JsonElement root = expected.RootElement;
string text = root.GetProperty("text").GetString()!;
string[] expectedTags = [.. root.GetProperty("tags").EnumerateArray().Select(tag => tag.GetString()!)];
string expectedLabel = root.GetProperty("label").GetString()!;

using OnnxNerClassifier deployed = OnnxNerClassifier.Load(args[0]);
Prediction prediction = deployed.Predict(text);
SentenceClassification sentence = prediction.Sentence ?? throw new InvalidOperationException("The ONNX model gave no sentence label.");
double maxDifference = root.GetProperty("probabilities").EnumerateObject()
    .Max(p => Math.Abs(p.Value.GetDouble() - sentence.Probabilities[p.Name]));

Console.WriteLine($"package smoke (ONNX Runtime): '{text}' -> tags {string.Join(' ', prediction.Tags)}, topic {sentence.Label} " +
    $"({sentence.Probability:F4}); largest topic probability difference from TorchSharp {maxDifference:E1}");
bool agrees = prediction.Tags.SequenceEqual(expectedTags) && sentence.Label == expectedLabel && maxDifference <= 1e-3;
if (!agrees)
{
    Console.Error.WriteLine($"package smoke: ONNX Runtime disagrees with TorchSharp (tags {string.Join(' ', expectedTags)}, topic {expectedLabel})");
}

return agrees ? 0 : 1;
