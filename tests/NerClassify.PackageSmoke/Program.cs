using System.Text.Json;
using NerClassify;
using NerClassify.Data;
using NerClassify.Encoders;
using NerClassify.Inference;
using NerClassify.Pretrained;
using NerClassify.Training;

// A consumer of the packed packages: loads the real MiniLM encoder from NerClassify.Pretrained.MiniLM, trains a
// multitask model for one step on a CoNLL file and a sentence-label file it writes, predicts one text, then saves the
// model with its ONNX export and the prediction, which the ONNX Runtime app (NerClassify.PackageSmoke.Onnx) repeats.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: NerClassify.PackageSmoke <output directory>");
    return 2;
}

string output = args[0];
const string Text = "Mary Smith visited London on Monday.";
File.WriteAllText("train.conll", """
    John B-PER
    Smith I-PER
    lives O
    in O
    Paris B-LOC
    . O

    Mary B-PER
    visited O
    London B-LOC
    . O

    Rovers B-ORG
    beat O
    United B-ORG
    2-0 O
    . O

    Peter B-PER
    scored O
    twice O
    in O
    Madrid B-LOC
    . O

    """);
File.WriteAllText("train.tsv", """
    sentence	label	text
    0	World	John Smith lives in Paris .
    1	World	Mary visited London .
    2	Sport	Rovers beat United 2-0 .
    3	Sport	Peter scored twice in Madrid .

    """);

string[] tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"];
using PretrainedEncoder encoder = PretrainedEncoders.MiniLmL6V2();
using NerClassifier model = NerClassifier.Create(encoder, tags, ["World", "Sport"]);
var steps = new StepCounter();
await model.TrainAsync(new TrainingFiles("train.conll", TrainLabels: "train.tsv"),
    new TrainerOptions { Epochs = 1, BatchSize = 4, Seed = 1 }, steps);
if (steps.Count != 1)
{
    Console.Error.WriteLine($"package smoke: expected one training step, got {steps.Count}");
    return 1;
}

Prediction prediction = model.Predict(Text);
model.Save(output);
model.ExportOnnx(Path.Combine(output, "model.onnx"));
File.WriteAllText(Path.Combine(output, "prediction.json"), JsonSerializer.Serialize(new
{
    text = Text,
    tags = prediction.Tags,
    label = prediction.Sentence?.Label,
    probabilities = prediction.Sentence?.Probabilities,
}));
Console.WriteLine("package smoke (TorchSharp): all-MiniLM-L6-v2 from NerClassify.Pretrained.MiniLM, " +
    $"1 step, loss {steps.Loss:F3}; '{Text}' -> tags {string.Join(' ', prediction.Tags)}, " +
    $"topic {prediction.Sentence?.Label} ({prediction.Sentence?.Probability:F4})");
return prediction.Words.Count == 7 && prediction.Tags.Count == 7 && prediction.Sentence is not null ? 0 : 1;

/// <summary>Counts training steps as they are reported (synchronously, unlike <see cref="Progress{T}"/>).</summary>
internal sealed class StepCounter : IProgress<TrainingProgress>
{
    public int Count { get; private set; }

    public double Loss { get; private set; }

    public void Report(TrainingProgress value)
    {
        Count = Math.Max(Count, value.Step);
        Loss = value.Loss;
    }
}
