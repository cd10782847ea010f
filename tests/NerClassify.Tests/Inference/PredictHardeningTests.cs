using CsCheck;
using FluentAssertions;
using NerClassify.Inference;
using NerClassify.Models;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Inference;

/// <summary>Text that used to crash prediction, and random text (issue 17, items 4, 5 and 7).</summary>
[Collection(TorchCollection.Name)]
public sealed class PredictHardeningTests : IDisposable
{
    private static readonly string[] Pieces =
    [
        "paris", "john", "smith", "visited", "berlin", "the", "in", "new", "york", ".", ",", "(", ")", "-", "'",
        "\v", "\f", "\u0085", "\u2028", "\u2029", "\u00A0", "\u3000", " ", "\t", "\n", "\r\n", "\u200B", "\uFEFF",
        "\0", "\u0001", "\u001F", "\u007F", "\uFFFD", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "🙂", "👩‍👩‍👧", "🇫🇷",
        "e\u0301", "é", "ß", "İ", "ﬁ", "中国", "שלום", "\u202E", "[SEP]", "[UNK]", "##s",
    ];

    // The tiny random model: its tags are arbitrary, so entities of every shape come out of random text.
    private readonly NerClassifier _classifier = NerClassifier.FromModel(
        new TokenClassificationModel(TinyBert.Encoder(seed: 7, addPooler: false), TinyData.TokenLabels),
        TinyBert.Vocabulary(),
        new PredictorOptions { BatchSize = 4 });

    public void Dispose() => _classifier.Dispose();

    // Theory data passes through xunit's serialisation, which turns lone surrogates into U+FFFD; index into this instead.
    private static readonly string[] LoneSurrogateTexts = ["\uDC00Paris", "Paris\uD800", "\uD800", "John \uDFFF Smith visited Paris"];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Predict_LoneSurrogate_DoesNotThrow(int index)
    {
        string text = LoneSurrogateTexts[index];

        Prediction prediction = _classifier.Predict(text);

        prediction.Text.Should().BeSameAs(text);
        prediction.Words.Should().Contain(w => w.Any(char.IsSurrogate));
        prediction.Entities.All(e => text.Substring(e.Start, e.End - e.Start) == e.Text).Should().BeTrue();
    }

    [Fact]
    public void PredictBatch_OneTextWithALoneSurrogate_PredictsTheOthersAsAlone()
    {
        string[] texts = ["John Smith visited Paris.", "\uDC00Paris", "Mary won in London."];

        IReadOnlyList<Prediction> batch = _classifier.PredictBatch(texts);

        batch.Should().HaveCount(3);
        Describe(batch[0]).Should().Be(Describe(_classifier.Predict(texts[0])));
        Describe(batch[2]).Should().Be(Describe(_classifier.Predict(texts[2])));
    }

    [Fact]
    public void Predict_VerticalTab_SeparatesTheWords()
    {
        Prediction prediction = _classifier.Predict("Paris\vand Berlin");

        prediction.Words.Should().Equal("Paris", "and", "Berlin");
    }

    [Fact]
    public void Predict_TextLongerThanTheLimit_ThrowsNamingTheArgumentAndTheLimit()
    {
        using var classifier = NerClassifier.FromModel(
            new TokenClassificationModel(TinyBert.Encoder(seed: 7, addPooler: false), TinyData.TokenLabels),
            TinyBert.Vocabulary(),
            new PredictorOptions { MaxInputLength = 1_000 });

        Action act = () => classifier.Predict(new string('.', 1_001));

        act.Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "text" && e.Message.Contains("1,001") && e.Message.Contains("1,000") && e.Message.Contains(nameof(PredictorOptions.MaxInputLength)));
    }

    [Fact]
    public void PredictBatch_OneTextLongerThanTheLimit_ThrowsNamingItsIndexBeforeAnyWork()
    {
        using var classifier = NerClassifier.FromModel(
            new TokenClassificationModel(TinyBert.Encoder(seed: 7, addPooler: false), TinyData.TokenLabels),
            TinyBert.Vocabulary(),
            new PredictorOptions { MaxInputLength = 100 });

        Action act = () => classifier.PredictBatch(["Paris", new string('a', 101)]);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "texts" && e.Message.Contains("Text 1"));
    }

    [Fact]
    public void Predict_TextAtTheLimit_IsPredicted()
    {
        using var classifier = NerClassifier.FromModel(
            new TokenClassificationModel(TinyBert.Encoder(seed: 7, addPooler: false), TinyData.TokenLabels),
            TinyBert.Vocabulary(),
            new PredictorOptions { MaxInputLength = 2_000 });

        classifier.Predict(new string('.', 2_000)).Text.Should().HaveLength(2_000);
    }

    [Fact]
    public void Validate_MaxInputLengthBelowOne_ThrowsNamingTheProperty()
    {
        Action act = () => new PredictorOptions { MaxInputLength = 0 }.Validate();

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(PredictorOptions.MaxInputLength));
    }

    [Fact]
    public void Predict_RandomUnicode_NeverThrowsAndEverySpanIndexesTheText()
    {
        Gen<string> piece = Gen.Frequency(
            (6, Gen.OneOf(Pieces)),
            (2, Gen.Char.Select(c => c.ToString())),
            (1, Gen.Char['\uD800', '\uDFFF'].Select(c => c.ToString())),
            (1, Gen.Char['\0', '\u001F'].Select(c => c.ToString())));
        Gen<string> text = piece.Array[0, 40].Select(string.Concat);

        text.Sample(
            t =>
            {
                Prediction prediction = _classifier.Predict(t);
                prediction.Text.Should().BeSameAs(t);
                prediction.Tags.Should().HaveSameCount(prediction.Words);
                foreach (EntitySpan entity in prediction.Entities)
                {
                    t.Substring(entity.Start, entity.End - entity.Start).Should().Be(entity.Text);
                }
            },
            iter: 150,
            threads: 1);
    }

    [Fact]
    public void PredictBatch_RandomUnicode_GivesOnePredictionPerTextInOrder()
    {
        Gen<string> text = Gen.OneOf(Pieces).Array[0, 12].Select(string.Concat);

        text.Array[1, 6].Sample(
            texts =>
            {
                IReadOnlyList<Prediction> batch = _classifier.PredictBatch(texts);
                batch.Select(p => p.Text).Should().Equal(texts);
                batch.Should().OnlyContain(p => p.Entities.All(e => p.Text.Substring(e.Start, e.End - e.Start) == e.Text));
            },
            iter: 20,
            threads: 1);
    }

    private static string Describe(Prediction p) =>
        string.Join('|', p.Tags) + "#" + string.Join(';', p.Entities.Select(e => $"{e.Type}:{e.Start}-{e.End}"));
}
