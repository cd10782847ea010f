using FluentAssertions;
using NerClassify.Data;
using NerClassify.Metrics;
using Xunit;

namespace NerClassify.Tests.Metrics;

public sealed class EntityExtractorTests
{
    private static string Lenient(string tags, LabelScheme scheme = LabelScheme.Iob2) =>
        Tags.Describe(EntityExtractor.Extract(Tags.Of(tags), scheme, EntityMatchingMode.Lenient));

    private static string Strict(string tags, LabelScheme scheme) =>
        Tags.Describe(EntityExtractor.Extract(Tags.Of(tags), scheme, EntityMatchingMode.Strict));

    [Fact]
    public void Extract_DefaultArguments_UseLenientMode()
    {
        // Strict IOB2 would find nothing here; the default (lenient) finds the I- run.
        EntityExtractor.Extract(Tags.Of("I-PER I-PER")).Should().Equal(new Entity("PER", 0, 2));
    }

    [Fact]
    public void Extract_EmptySentence_ReturnsNoEntities()
    {
        EntityExtractor.Extract([]).Should().BeEmpty();
        EntityExtractor.Extract([], LabelScheme.Bioes, EntityMatchingMode.Strict).Should().BeEmpty();
    }

    [Fact]
    public void Extract_AllOutside_ReturnsNoEntities()
    {
        Lenient("O O O").Should().BeEmpty();
        Strict("O O O", LabelScheme.Iob1).Should().BeEmpty();
    }

    [Fact]
    public void Extract_EntityAtSentenceEnd_IsClosedAtLastWord()
    {
        Lenient("O O B-PER I-PER").Should().Be("PER:2-4");
        Strict("O O B-PER I-PER", LabelScheme.Iob2).Should().Be("PER:2-4");
        Strict("O S-LOC", LabelScheme.Bioes).Should().Be("LOC:1-2");
    }

    [Fact]
    public void Extract_EntityHasLength_EqualToWordCount()
    {
        EntityExtractor.Extract(Tags.Of("O B-ORG I-ORG I-ORG"))[0].Length.Should().Be(3);
    }

    // Disagreement case "I-PER I-PER" vs "B-PER I-PER".
    // Lenient (conlleval, seqeval default): an I- after O starts an entity, so both read as PER over 0..2.
    // Strict IOB2 (seqeval strict): an entity must start with B-, so the I- run is no entity at all.
    [Fact]
    public void Extract_LenientInsideStart_MatchesBeginStart()
    {
        Lenient("I-PER I-PER").Should().Be("PER:0-2");
        Lenient("B-PER I-PER").Should().Be("PER:0-2");
    }

    [Fact]
    public void Extract_StrictIob2InsideStart_ReturnsNoEntity()
    {
        Strict("I-PER I-PER", LabelScheme.Iob2).Should().BeEmpty();
        Strict("B-PER I-PER", LabelScheme.Iob2).Should().Be("PER:0-2");
    }

    // Disagreement case "B-PER I-LOC".
    // Lenient (conlleval): a change of type ends PER and the stray I-LOC starts a LOC of its own.
    // Strict IOB2 (seqeval strict): PER is well formed and kept; I-LOC continues nothing and is dropped.
    [Fact]
    public void Extract_LenientTypeChange_SplitsIntoTwoEntities()
    {
        Lenient("B-PER I-LOC").Should().Be("PER:0-1 LOC:1-2");
    }

    [Fact]
    public void Extract_StrictIob2TypeChange_DropsStrayInside()
    {
        Strict("B-PER I-LOC", LabelScheme.Iob2).Should().Be("PER:0-1");
    }

    // Disagreement case IOB1 "I-PER B-PER": B- marks a new entity right after one of the same type.
    // Both modes (conlleval and seqeval strict IOB1) give two one-word entities.
    [Fact]
    public void Extract_Iob1BeginAfterSameType_StartsSecondEntityInBothModes()
    {
        Lenient("I-PER B-PER", LabelScheme.Iob1).Should().Be("PER:0-1 PER:1-2");
        Strict("I-PER B-PER", LabelScheme.Iob1).Should().Be("PER:0-1 PER:1-2");
    }

    // IOB1 "B-PER I-PER" at the start of a sentence: B- is illegal there (nothing of type PER precedes it).
    // Lenient (conlleval) reads one PER over 0..2; strict IOB1 (as seqeval strict) drops the B- word and
    // the I- after it starts the entity, giving PER over 1..2.
    [Fact]
    public void Extract_Iob1BeginAfterOutside_LenientKeepsItStrictDropsIt()
    {
        Lenient("B-PER I-PER", LabelScheme.Iob1).Should().Be("PER:0-2");
        Strict("B-PER I-PER", LabelScheme.Iob1).Should().Be("PER:1-2");
    }

    [Fact]
    public void Extract_StrictIob1InsideRun_IsOneEntity()
    {
        Strict("O I-PER I-PER O I-LOC", LabelScheme.Iob1).Should().Be("PER:1-3 LOC:4-5");
    }

    [Fact]
    public void Extract_StrictIob1InsideTypeChange_StartsNewEntity()
    {
        Strict("I-PER I-LOC", LabelScheme.Iob1).Should().Be("PER:0-1 LOC:1-2");
    }

    // Divergence from seqeval strict IOB1: seqeval drops the legal B-PER entity (1..2) because the
    // illegal B-LOC after it is not in its table of entity ends. Here the B-PER entity is well formed
    // and stays; only the B-LOC is dropped.
    [Fact]
    public void Extract_StrictIob1IllegalBeginAfterEntity_KeepsThePrecedingEntity()
    {
        Strict("I-PER B-PER B-LOC", LabelScheme.Iob1).Should().Be("PER:0-1 PER:1-2");
    }

    // BIOES lone "E-" and lone "I-".
    // Lenient (seqeval default; conlleval's E rules): an E- or I- after O starts an entity, so each
    // lone tag is a one-word entity. Strict BIOES (seqeval strict): only S-X or B-X (I-X)* E-X count,
    // so neither is an entity.
    [Theory]
    [InlineData("O E-PER O")]
    [InlineData("O I-PER O")]
    public void Extract_BioesLoneEndOrInside_LenientCountsItStrictDoesNot(string tags)
    {
        Lenient(tags, LabelScheme.Bioes).Should().Be("PER:1-2");
        Strict(tags, LabelScheme.Bioes).Should().BeEmpty();
    }

    [Fact]
    public void Extract_BioesSingletons_AreOneWordEntitiesInBothModes()
    {
        // Two adjacent S- tags of the same type are two entities. The original conlleval.pl has no
        // S- rule and would merge them; this follows seqeval, which ends an entity after every S-.
        Lenient("S-PER S-PER O S-LOC", LabelScheme.Bioes).Should().Be("PER:0-1 PER:1-2 LOC:3-4");
        Strict("S-PER S-PER O S-LOC", LabelScheme.Bioes).Should().Be("PER:0-1 PER:1-2 LOC:3-4");
    }

    [Fact]
    public void Extract_BioesWellFormed_AgreesInBothModes()
    {
        const string tags = "B-ORG I-ORG E-ORG O B-PER E-PER S-LOC";
        Lenient(tags, LabelScheme.Bioes).Should().Be("ORG:0-3 PER:4-6 LOC:6-7");
        Strict(tags, LabelScheme.Bioes).Should().Be("ORG:0-3 PER:4-6 LOC:6-7");
    }

    // An unclosed B- run: lenient ends it at O like conlleval; strict BIOES needs the E-.
    [Fact]
    public void Extract_BioesUnclosedBegin_LenientKeepsItStrictDropsIt()
    {
        Lenient("B-PER I-PER O", LabelScheme.Bioes).Should().Be("PER:0-2");
        Strict("B-PER I-PER O", LabelScheme.Bioes).Should().BeEmpty();
    }

    [Fact]
    public void Extract_BioesTagAfterEnd_StartsNewEntityInLenientMode()
    {
        // After E- an entity is closed, so a following I- or E- of the same type starts another one.
        Lenient("B-PER E-PER I-PER", LabelScheme.Bioes).Should().Be("PER:0-2 PER:2-3");
        Lenient("E-PER E-PER", LabelScheme.Bioes).Should().Be("PER:0-1 PER:1-2");
    }

    [Fact]
    public void Extract_StrictBioesBrokenRun_RereadsTheBreakingTag()
    {
        Strict("B-PER B-PER E-PER", LabelScheme.Bioes).Should().Be("PER:1-3");
        Strict("B-PER I-PER S-LOC", LabelScheme.Bioes).Should().Be("LOC:2-3");
        Strict("B-PER I-LOC E-LOC", LabelScheme.Bioes).Should().BeEmpty();
    }

    [Theory]
    [InlineData("B-PER B-PER", "PER:0-1 PER:1-2")]
    [InlineData("I-PER O I-PER", "PER:0-1 PER:2-3")]
    [InlineData("I-PER I-LOC", "PER:0-1 LOC:1-2")]
    [InlineData("B-PER I-PER I-PER O B-LOC", "PER:0-3 LOC:4-5")]
    [InlineData("I-PER E-PER", "PER:0-2")]
    [InlineData("B-PER S-PER", "PER:0-1 PER:1-2")]
    public void Extract_LenientTable_FollowsConllevalChunkRules(string tags, string expected)
    {
        Lenient(tags).Should().Be(expected);
    }

    [Fact]
    public void Extract_LenientMode_IgnoresScheme()
    {
        const string tags = "I-PER B-PER S-LOC E-ORG";
        var expected = Lenient(tags, LabelScheme.Iob2);
        Lenient(tags, LabelScheme.Iob1).Should().Be(expected);
        Lenient(tags, LabelScheme.Bioes).Should().Be(expected);
    }

    [Theory]
    [InlineData(LabelScheme.Iob1, "O E-PER")]
    [InlineData(LabelScheme.Iob2, "S-PER")]
    public void Extract_StrictTagOutsideScheme_Throws(LabelScheme scheme, string tags)
    {
        var act = () => EntityExtractor.Extract(Tags.Of(tags), scheme, EntityMatchingMode.Strict);
        act.Should().Throw<ArgumentException>().WithParameterName("tags").WithMessage("*position*");
    }

    [Theory]
    [InlineData("PER")]
    [InlineData("B-")]
    [InlineData("X-PER")]
    [InlineData("BPER")]
    [InlineData("o")]
    public void Extract_MalformedTagInStrictMode_ThrowsNamingPosition(string tag)
    {
        // Lenient and conlleval modes read such tags as seqeval and conlleval.pl do (issue 31, item 13); strict mode does not.
        var act = () => EntityExtractor.Extract(["O", tag], LabelScheme.Bioes, EntityMatchingMode.Strict);
        act.Should().Throw<ArgumentException>().WithParameterName("tags").WithMessage("Position 1*");
    }

    [Theory]
    [InlineData(EntityMatchingMode.Lenient)]
    [InlineData(EntityMatchingMode.Conlleval)]
    public void Extract_EmptyTag_ThrowsNamingPosition(EntityMatchingMode mode)
    {
        var act = () => EntityExtractor.Extract(["O", ""], LabelScheme.Iob2, mode);
        act.Should().Throw<ArgumentException>().WithParameterName("tags").WithMessage("Position 1 holds an empty tag.*");
    }

    [Fact]
    public void Extract_NullTags_Throws()
    {
        var act = () => EntityExtractor.Extract(null!);
        act.Should().Throw<ArgumentNullException>().WithParameterName("tags");
    }

    [Fact]
    public void Extract_UndefinedMode_Throws()
    {
        var act = () => EntityExtractor.Extract(["O"], LabelScheme.Iob2, (EntityMatchingMode)7);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("mode");
    }

    [Fact]
    public void Extract_TypeWithHyphen_KeepsWholeType()
    {
        Lenient("B-GPE-LOC I-GPE-LOC").Should().Be("GPE-LOC:0-2");
    }
}
