using FluentAssertions;
using NerClassify.Inference;

namespace NerClassify.Tests.Inference;

public sealed class BioDecoderTests
{
    private static readonly string[] Iob2 = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];

    [Fact]
    public void Decode_ArgmaxWouldStartWithInside_ChoosesAWellFormedPath()
    {
        // Argmax per word: I-PER I-PER O, which is ill-formed; the best allowed path is B-PER I-PER O.
        float[][] scores =
        [
            Log(0.05f, 0.40f, 0.45f, 0.05f, 0.05f),
            Log(0.05f, 0.05f, 0.80f, 0.05f, 0.05f),
            Log(0.90f, 0.025f, 0.025f, 0.025f, 0.025f),
        ];

        int[] path = new BioDecoder(Iob2).Decode(scores);

        path.Select(i => Iob2[i]).Should().Equal("B-PER", "I-PER", "O");
    }

    [Fact]
    public void Decode_InsideOfAnotherType_IsNeverChosenAfterBegin()
    {
        float[][] scores =
        [
            Log(0.1f, 0.1f, 0.1f, 0.6f, 0.1f),
            Log(0.1f, 0.1f, 0.6f, 0.1f, 0.1f),
        ];

        int[] path = new BioDecoder(Iob2).Decode(scores);

        string[] tags = path.Select(i => Iob2[i]).ToArray();
        tags[1].Should().NotBe("I-PER");
        tags[0].Should().Be("B-LOC");
    }

    [Fact]
    public void Decode_WellFormedArgmax_IsKept()
    {
        float[][] scores = [Log(0.1f, 0.7f, 0.1f, 0.05f, 0.05f), Log(0.1f, 0.1f, 0.7f, 0.05f, 0.05f), Log(0.7f, 0.1f, 0.1f, 0.05f, 0.05f)];

        new BioDecoder(Iob2).Decode(scores).Select(i => Iob2[i]).Should().Equal("B-PER", "I-PER", "O");
    }

    [Fact]
    public void Decode_Bioes_EndsEveryEntity()
    {
        string[] bioes = ["O", "B-PER", "I-PER", "E-PER", "S-PER"];
        float[][] scores = [Log(0.1f, 0.6f, 0.1f, 0.1f, 0.1f), Log(0.1f, 0.1f, 0.6f, 0.1f, 0.1f)];

        string[] tags = new BioDecoder(bioes).Decode(scores).Select(i => bioes[i]).ToArray();

        tags.Should().Equal("B-PER", "E-PER");
    }

    [Fact]
    public void Decode_NoWords_ReturnsEmpty()
    {
        new BioDecoder(Iob2).Decode([]).Should().BeEmpty();
    }

    private static float[] Log(params float[] probabilities) => probabilities.Select(p => MathF.Log(p)).ToArray();
}
