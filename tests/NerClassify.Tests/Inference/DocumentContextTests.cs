using FluentAssertions;
using NerClassify.Inference;

namespace NerClassify.Tests.Inference;

public sealed class DocumentContextTests
{
    private static readonly string[] Classes = ["World", "Sport", "Business"];

    [Fact]
    public void Apply_UncertainSentenceInADocumentOfOneClass_TakesTheDocumentsClass()
    {
        // "Results on Sunday." alone leans World (0.5 against 0.4); the rest of the document is sport.
        Prediction[] document = [Sentence(0.05f, 0.9f, 0.05f), Sentence(0.5f, 0.4f, 0.1f), Sentence(0.02f, 0.95f, 0.03f)];

        IReadOnlyList<Prediction> revised = DocumentContext.Apply(document);

        revised[1].Sentence!.Label.Should().Be("Sport");
        revised[1].Sentence!.Probability.Should().Be(revised[1].Sentence!.Probabilities["Sport"]);
    }

    [Fact]
    public void Apply_ConfidentSentence_KeepsItsClass()
    {
        // A business sentence in a sport report stays business when its model is sure of it.
        Prediction[] document = [Sentence(0.01f, 0.98f, 0.01f), Sentence(0.002f, 0.003f, 0.995f), Sentence(0.01f, 0.98f, 0.01f)];

        IReadOnlyList<Prediction> revised = DocumentContext.Apply(document);

        revised.Select(p => p.Sentence!.Label).Should().Equal("Sport", "Business", "Sport");
    }

    [Fact]
    public void Apply_RevisedClass_HasProbabilitiesThatSumToOneInTheModelsClassOrder()
    {
        Prediction[] document = [Sentence(0.3f, 0.3f, 0.4f), Sentence(0.6f, 0.2f, 0.2f)];

        IReadOnlyList<Prediction> revised = DocumentContext.Apply(document);

        foreach (Prediction prediction in revised)
        {
            prediction.Sentence!.Probabilities.Keys.Should().Equal(Classes);
            prediction.Sentence.Probabilities.Values.Sum().Should().BeApproximately(1f, 1e-5f);
        }
    }

    [Fact]
    public void Apply_OneSentenceDocument_ReturnsItsPredictionUnchanged()
    {
        Prediction alone = Sentence(0.5f, 0.3f, 0.2f, Entity("Paris", "LOC", 0.6f, firstWord: 0));

        IReadOnlyList<Prediction> revised = DocumentContext.Apply([alone]);

        revised.Should().ContainSingle().Which.Should().BeSameAs(alone);
    }

    [Fact]
    public void Apply_ClassPriorWeightZero_LeavesSentenceClassesAsTheyAre()
    {
        Prediction[] document = [Sentence(0.05f, 0.9f, 0.05f), Sentence(0.5f, 0.4f, 0.1f)];

        IReadOnlyList<Prediction> revised = DocumentContext.Apply(document, new DocumentContextOptions { ClassPriorWeight = 0 });

        revised.Should().Equal(document);
    }

    [Fact]
    public void Apply_EntityMentionOutvotedByTheDocument_TakesTheWinningTypeAndItsTags()
    {
        // "Jordan" is a person twice (scores 0.9 + 0.8) and a location once (0.7): the location becomes a person.
        Prediction[] document =
        [
            Sentence(0.1f, 0.8f, 0.1f, Entity("Jordan", "PER", 0.9f, firstWord: 0)),
            Sentence(0.1f, 0.8f, 0.1f, Entity("Michael Jordan", "PER", 0.95f, firstWord: 1), Entity("Jordan", "LOC", 0.7f, firstWord: 4)),
            Sentence(0.1f, 0.8f, 0.1f, Entity("Jordan", "PER", 0.8f, firstWord: 2)),
        ];

        IReadOnlyList<Prediction> revised = DocumentContext.Apply(document);

        revised[1].Entities.Select(e => (e.Text, e.Type)).Should().Equal(("Michael Jordan", "PER"), ("Jordan", "PER"));
        revised[1].Tags.Should().Equal("O", "B-PER", "I-PER", "O", "B-PER", "O");
        revised[0].Entities.Should().Equal(document[0].Entities);
    }

    [Fact]
    public void Apply_EntityTypeVoteTied_KeepsEachMentionsOwnType()
    {
        Prediction[] document =
        [
            Sentence(0.1f, 0.8f, 0.1f, Entity("Jordan", "PER", 0.8f, firstWord: 0)),
            Sentence(0.1f, 0.8f, 0.1f, Entity("Jordan", "LOC", 0.8f, firstWord: 0)),
        ];

        IReadOnlyList<Prediction> revised = DocumentContext.Apply(document);

        revised.Select(p => p.Entities.Single().Type).Should().Equal("PER", "LOC");
    }

    [Fact]
    public void Apply_UnifyEntityTypesOff_LeavesEntitiesAndTagsAlone()
    {
        Prediction[] document =
        [
            Sentence(0.1f, 0.8f, 0.1f, Entity("Jordan", "PER", 0.9f, firstWord: 0)),
            Sentence(0.1f, 0.8f, 0.1f, Entity("Jordan", "LOC", 0.5f, firstWord: 0)),
        ];

        IReadOnlyList<Prediction> revised = DocumentContext.Apply(document, new DocumentContextOptions { UnifyEntityTypes = false });

        revised[1].Entities.Single().Type.Should().Be("LOC");
        revised[1].Tags[0].Should().Be("B-LOC");
    }

    [Fact]
    public void Apply_TokenOnlyPredictions_UnifiesEntityTypesWithoutSentenceClasses()
    {
        Prediction[] document =
        [
            Sentence(null, Entity("Jordan", "PER", 0.9f, firstWord: 0)),
            Sentence(null, Entity("Jordan", "LOC", 0.5f, firstWord: 0)),
        ];

        IReadOnlyList<Prediction> revised = DocumentContext.Apply(document);

        revised.Should().OnlyContain(p => p.Sentence == null);
        revised[1].Entities.Single().Type.Should().Be("PER");
    }

    [Fact]
    public void Apply_NullPrediction_ThrowsNamingItsIndex()
    {
        Prediction[] document = [Sentence(0.1f, 0.8f, 0.1f), null!];

        Action apply = () => DocumentContext.Apply(document);

        apply.Should().Throw<ArgumentException>().WithParameterName("document").WithMessage("Prediction 1 *");
    }

    [Theory]
    [InlineData(-1, 0.05, "ClassPriorWeight")]
    [InlineData(double.NaN, 0.05, "ClassPriorWeight")]
    [InlineData(2, 0, "ClassPriorFloor")]
    [InlineData(2, double.PositiveInfinity, "ClassPriorFloor")]
    public void Apply_OptionOutOfRange_ThrowsNamingIt(double weight, double floor, string name)
    {
        var options = new DocumentContextOptions { ClassPriorWeight = weight, ClassPriorFloor = floor };

        Action apply = () => DocumentContext.Apply([Sentence(0.1f, 0.8f, 0.1f)], options);

        apply.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(name);
    }

    [Fact]
    public void ApplyByDocument_InterleavedDocuments_RevisesEachSentenceByItsOwnDocumentOnly()
    {
        // Sentences 0 and 2 are one sport document, 1 and 3 one business document; sentences 2 and 3 are uncertain
        // and lean the other way, which only their own document corrects.
        Prediction[] sentences =
        [
            Sentence(0.02f, 0.96f, 0.02f), Sentence(0.02f, 0.02f, 0.96f),
            Sentence(0.1f, 0.4f, 0.5f), Sentence(0.1f, 0.5f, 0.4f),
        ];

        IReadOnlyList<Prediction> revised = DocumentContext.ApplyByDocument(sentences, [7, 3, 7, 3]);

        revised.Select(p => p.Sentence!.Label).Should().Equal("Sport", "Business", "Sport", "Business");
        IReadOnlyList<Prediction> sport = DocumentContext.Apply([sentences[0], sentences[2]]);
        IReadOnlyList<Prediction> business = DocumentContext.Apply([sentences[1], sentences[3]]);
        revised.Should().BeEquivalentTo([sport[0], business[0], sport[1], business[1]], o => o.WithStrictOrdering());
    }

    [Fact]
    public void ApplyByDocument_LengthsDiffer_ThrowsNamingTheDocumentIndexes()
    {
        Action apply = () => DocumentContext.ApplyByDocument([Sentence(0.1f, 0.8f, 0.1f)], [0, 0]);

        apply.Should().Throw<ArgumentException>().WithParameterName("documentIndexes");
    }

    private static Prediction Sentence(float world, float sport, float business, params EntitySpan[] entities)
    {
        float[] probabilities = [world, sport, business];
        int best = Array.IndexOf(probabilities, probabilities.Max());
        var classes = Classes.Select((c, i) => KeyValuePair.Create(c, probabilities[i])).ToDictionary(StringComparer.Ordinal);
        return Sentence(new SentenceClassification(Classes[best], probabilities[best], classes), entities);
    }

    /// <summary>A six-word sentence with the given entities tagged in IOB2.</summary>
    private static Prediction Sentence(SentenceClassification? sentence, params EntitySpan[] entities)
    {
        string[] words = ["w0", "w1", "w2", "w3", "w4", "w5"];
        string[] tags = Enumerable.Repeat("O", words.Length).ToArray();
        foreach (EntitySpan entity in entities)
        {
            for (int word = entity.FirstWord; word <= entity.LastWord; word++)
            {
                words[word] = entity.Text.Split(' ')[word - entity.FirstWord];
                tags[word] = (word == entity.FirstWord ? "B-" : "I-") + entity.Type;
            }
        }

        return new Prediction(string.Join(' ', words), words, tags, entities, sentence);
    }

    private static EntitySpan Entity(string text, string type, float score, int firstWord)
    {
        int lastWord = firstWord + text.Split(' ').Length - 1;
        return new EntitySpan(type, text, 0, text.Length, firstWord, lastWord, score);
    }
}
