using FluentAssertions;
using NerClassify.Data;

namespace NerClassify.Tests.Data;

public sealed class TagSchemeConverterTests
{
    // The same entities in the three schemes: PER PER | PER | O | LOC | ORG ORG ORG | O
    private static readonly string[] Iob1 = ["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG", "I-ORG", "I-ORG", "O"];
    private static readonly string[] Iob2 = ["B-PER", "I-PER", "B-PER", "O", "B-LOC", "B-ORG", "I-ORG", "I-ORG", "O"];
    private static readonly string[] Bioes = ["B-PER", "E-PER", "S-PER", "O", "S-LOC", "B-ORG", "I-ORG", "E-ORG", "O"];

    public static TheoryData<LabelScheme, LabelScheme> Pairs()
    {
        var data = new TheoryData<LabelScheme, LabelScheme>();
        foreach (var from in Enum.GetValues<LabelScheme>())
        {
            foreach (var to in Enum.GetValues<LabelScheme>())
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    private static string[] Of(LabelScheme scheme) => scheme switch
    {
        LabelScheme.Iob1 => Iob1,
        LabelScheme.Iob2 => Iob2,
        _ => Bioes,
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Convert_ValidSequence_ProducesTargetScheme(LabelScheme from, LabelScheme to)
    {
        TagSchemeConverter.Convert(Of(from), to).Should().Equal(Of(to));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Convert_RoundTrip_ReturnsOriginal(LabelScheme from, LabelScheme to)
    {
        var there = TagSchemeConverter.Convert(Of(from), to);

        TagSchemeConverter.Convert(there, from).Should().Equal(Of(from));
    }

    [Fact]
    public void Convert_UntypedTags_StayUntypedInTheTargetScheme()
    {
        TagSchemeConverter.Convert(["B", "I", "O", "B", "O"], LabelScheme.Bioes).Should().Equal("B", "E", "O", "S", "O");
        TagSchemeConverter.Convert(["S", "O", "B", "E"], LabelScheme.Iob2).Should().Equal("B", "O", "B", "I");
    }

    [Fact]
    public void Convert_RandomValidSequences_RoundTripThroughAllSchemes()
    {
        var random = new Random(7);
        string[] types = ["PER", "LOC"];
        for (int trial = 0; trial < 500; trial++)
        {
            // Build random spans in IOB2, then go IOB2 -> BIOES -> IOB1 -> IOB2.
            var tags = new List<string>();
            int length = random.Next(0, 15);
            while (tags.Count < length)
            {
                if (random.Next(3) == 0)
                {
                    tags.Add("O");
                    continue;
                }

                string type = types[random.Next(types.Length)];
                int spanLength = random.Next(1, 4);
                tags.Add("B-" + type);
                for (int i = 1; i < spanLength; i++)
                {
                    tags.Add("I-" + type);
                }
            }

            var bioes = TagSchemeConverter.Convert(tags, LabelScheme.Bioes);
            var iob1 = TagSchemeConverter.Convert(bioes, LabelScheme.Iob1);
            TagSchemeConverter.Convert(iob1, LabelScheme.Iob2).Should().Equal(tags);
        }
    }

    [Fact]
    public void Convert_OrphanInsideToIob2_StartsEntityWithBegin()
    {
        TagSchemeConverter.Convert(["O", "I-PER", "I-LOC"], LabelScheme.Iob2).Should().Equal("O", "B-PER", "B-LOC");
    }

    [Fact]
    public void Convert_MalformedTag_Throws()
    {
        var act = () => TagSchemeConverter.Convert(["B-"], LabelScheme.Iob2);

        act.Should().Throw<ArgumentException>().WithMessage("*'B-'*");
    }

    [Fact]
    public void Decode_Bioes_ReturnsSpans()
    {
        TagSchemeConverter.Decode(Bioes).Should().Equal((0, 2, "PER"), (2, 3, "PER"), (4, 5, "LOC"), (5, 8, "ORG"));
    }
}
