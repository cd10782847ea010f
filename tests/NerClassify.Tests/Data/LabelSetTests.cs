using FluentAssertions;
using NerClassify.Data;

namespace NerClassify.Tests.Data;

public sealed class LabelSetTests
{
    [Fact]
    public void FromTags_MixedOrder_PutsOutsideFirstThenSortsByTypeAndPrefix()
    {
        var set = LabelSet.FromTags(["I-PER", "O", "B-LOC", "B-PER", "I-LOC", "B-PER", "E-LOC"]);

        set.Labels.Should().Equal("O", "B-LOC", "I-LOC", "E-LOC", "B-PER", "I-PER");
    }

    [Fact]
    public void FromTags_NoOutside_StillStartsWithOutside()
    {
        LabelSet.FromTags(["B-X"]).Labels.Should().Equal("O", "B-X");
    }

    [Fact]
    public void FromLabels_GivenOrder_KeepsOrderAndMapsIds()
    {
        var set = LabelSet.FromLabels(["World", "Sport", "Business", "Technology", "Other"]);

        set.GetId("Business").Should().Be(2);
        set.GetLabel(4).Should().Be("Other");
        set.Count.Should().Be(5);
    }

    [Fact]
    public void FromLabels_Duplicate_Throws()
    {
        var act = () => LabelSet.FromLabels(["a", "a"]);

        act.Should().Throw<ArgumentException>().WithMessage("*'a'*twice*");
    }

    [Fact]
    public void FromEntityTypes_Bioes_ListsAllPrefixesPerType()
    {
        LabelSet.FromEntityTypes(["PER", "LOC"], LabelScheme.Bioes).Labels
            .Should().Equal("O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC");
    }

    [Fact]
    public void Encode_TagNotInSet_ThrowsNamingTagAndFileLine()
    {
        var set = LabelSet.FromEntityTypes(["PER"], LabelScheme.Iob2);
        var sentence = new ConllSentence(["John", "in", "Paris"], ["B-PER", "O", "B-LOC"], index: 4, lineNumber: 20);

        var act = () => set.Encode(sentence, "dev.txt");

        act.Should().Throw<FormatException>().WithMessage("dev.txt:22:*'B-LOC'*");
    }

    [Fact]
    public void Encode_KnownTags_ReturnsIds()
    {
        var set = LabelSet.FromEntityTypes(["PER"], LabelScheme.Iob2);

        set.Encode(new ConllSentence(["John", "Smith", "ran"], ["B-PER", "I-PER", "O"])).Should().Equal(1, 2, 0);
    }

    [Fact]
    public void GetId_UnknownLabel_ThrowsNamingIt()
    {
        var act = () => LabelSet.FromLabels(["a"]).GetId("zzz");

        act.Should().Throw<KeyNotFoundException>().WithMessage("*'zzz'*");
    }

    [Fact]
    public void EncodeLabel_UnknownSentenceLabel_ThrowsWithFileLine()
    {
        var act = () => LabelSet.FromLabels(["World"]).Encode("Sports", "train.tsv", 9);

        act.Should().Throw<FormatException>().WithMessage("train.tsv:9:*'Sports'*");
    }

    [Fact]
    public void EntityTypes_BioesAndBioTags_NamesEachTypeOnceInFirstTagOrder()
    {
        LabelSet.FromLabels(["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "B-MISC"]).EntityTypes
            .Should().Equal("PER", "LOC", "MISC");
    }

    [Fact]
    public void EntityTypes_SentenceLabels_IsEmpty()
    {
        LabelSet.FromLabels(["World", "Sports"]).EntityTypes.Should().BeEmpty();
    }
}
