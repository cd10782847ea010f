using System.Text.Json.Nodes;
using FluentAssertions;
using NerClassify.Encoders.Bert;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NerClassify.Tests.Encoders;

/// <summary>
/// RoBERTa and XLM-RoBERTa against a PyTorch reference forward that follows Hugging Face's modeling_roberta.py
/// (tests/NerClassify.Tests/Reference/make_roberta_reference.py): the checkpoints it wrote, as safetensors and as
/// torch.save .bin files, load unchanged and give its hidden states, pooled outputs and token logits within 1e-5.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class RobertaParityTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-5;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("tiny-roberta", "model.safetensors")]
    [InlineData("tiny-roberta", "pytorch_model.bin")]
    [InlineData("tiny-xlm-roberta", "model.safetensors")]
    [InlineData("tiny-xlm-roberta", "pytorch_model.bin")]
    public void Load_RobertaCheckpoint_MatchesTheReferenceHiddenStatesAndPooledOutput(string model, string weights)
    {
        string directory = _temp.File(model);
        RobertaReference.CopyModel(model, directory, weights);
        JsonObject expected = RobertaReference.Expected(model);

        using PretrainedEncoder pretrained = PretrainedEncoder.Load(directory);
        pretrained.LoadReport!.IsExact.Should().BeTrue();
        pretrained.Encoder.Config.ModelType.Should().Be(model == "tiny-xlm-roberta" ? "xlm-roberta" : "roberta");
        pretrained.Encoder.HasPooler.Should().BeTrue();
        pretrained.Encoder.eval();
        (float[] hidden, float[] pooled) = Run(pretrained.Encoder, expected);

        double hiddenDiff = MaxAbsDiff(hidden, RobertaReference.Floats(expected["last_hidden_state"]!));
        double pooledDiff = MaxAbsDiff(pooled, RobertaReference.Floats(expected["pooled_output"]!));
        output.WriteLine($"{model} {weights}: max |hidden - reference| = {hiddenDiff:E2}, max |pooled - reference| = {pooledDiff:E2}");
        hiddenDiff.Should().BeLessThan(Tolerance);
        pooledDiff.Should().BeLessThan(Tolerance);
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("pytorch_model.bin")]
    public void Load_RobertaForTokenClassificationCheckpoint_MatchesTheReferenceLogits(string weights)
    {
        string directory = _temp.File("token");
        RobertaReference.CopyModel("tiny-roberta-token", directory, weights);
        JsonObject expected = RobertaReference.Expected("tiny-roberta-token");

        using NerClassifier classifier = NerClassifier.Load(directory);
        TaskModel model = classifier.Model;
        model.Encoder.HasPooler.Should().BeFalse();
        model.TokenLabels.Should().Equal("O", "B-PER", "I-PER", "B-LOC", "I-LOC");
        float[] logits;
        using (NewDisposeScope())
        using (inference_mode())
        {
            long[] shape = [3, 10];
            using Tensor ids = tensor(RobertaReference.Flat(expected["input_ids"]!), shape);
            using Tensor mask = tensor(RobertaReference.Flat(expected["attention_mask"]!), shape);
            using Tensor types = zeros_like(ids);
            logits = model.Forward(new ModelInputs(ids, mask, types, null)).TokenLogits!.data<float>().ToArray();
        }

        double diff = MaxAbsDiff(logits, RobertaReference.Floats(expected["logits"]!));
        output.WriteLine($"tiny-roberta-token {weights}: max |logits - reference| = {diff:E2}");
        diff.Should().BeLessThan(Tolerance);
    }

    [Fact]
    public void Encode_RobertaPadding_TakesPositionsFromPadTokenIdPlusOne()
    {
        string directory = _temp.File("positions");
        RobertaReference.CopyModel("tiny-roberta", directory, "model.safetensors");
        JsonObject expected = RobertaReference.Expected("tiny-roberta");
        using PretrainedEncoder pretrained = PretrainedEncoder.Load(directory);
        pretrained.Encoder.eval();

        // The second row alone, unpadded, gives the same states as inside the padded batch: padding changes no position.
        (float[] batch, _) = Run(pretrained.Encoder, expected);
        long[] row = RobertaReference.Flat(expected["input_ids"]!).Skip(10).Take(3).ToArray();
        float[] alone;
        using (NewDisposeScope())
        using (inference_mode())
        {
            using Tensor ids = tensor(row, [1, 3]);
            alone = pretrained.Encoder.Encode(ids, ones_like(ids), pool: false).LastHiddenState.data<float>().ToArray();
        }

        int width = pretrained.Encoder.HiddenSize;
        MaxAbsDiff(alone, batch.Skip(10 * width).Take(3 * width).ToArray()).Should().BeLessThan(1e-6);
        pretrained.Encoder.Config.MaxTokens.Should().Be(pretrained.Encoder.Config.MaxPositionEmbeddings - 2);
    }

    private static (float[] Hidden, float[] Pooled) Run(BertEncoder encoder, JsonObject expected)
    {
        using (NewDisposeScope())
        using (inference_mode())
        {
            long[] shape = [3, 10];
            using Tensor ids = tensor(RobertaReference.Flat(expected["input_ids"]!), shape);
            using Tensor mask = tensor(RobertaReference.Flat(expected["attention_mask"]!), shape);
            var result = encoder.Encode(ids, mask);
            return (result.LastHiddenState.data<float>().ToArray(), result.PooledOutput!.data<float>().ToArray());
        }
    }

    private static double MaxAbsDiff(float[] actual, float[] expected)
    {
        actual.Length.Should().Be(expected.Length);
        double max = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        }

        return max;
    }
}
