using NerClassify.Tests.TestSupport;
using FluentAssertions;
using NerClassify.Data;

namespace NerClassify.Tests.Data;

public sealed class SentenceLabelFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly ConllSentence[] Sentences =
    [
        new(["He", "said", "\"", "no", "\""], ["O", "O", "O", "O", "O"], index: 0, lineNumber: 1),
        new(["Sport", "news"], ["O", "O"], index: 1, lineNumber: 7),
    ];

    [Fact]
    public async Task LoadAsync_QuotesInText_ReadsThemLiterally()
    {
        string path = _temp.File("t.tsv");
        await File.WriteAllTextAsync(path, "sentence\tlabel\ttext\n0\tWorld\tHe said \" no \"\n1\tSport\tSport news\n");

        var rows = await SentenceLabelFile.LoadAsync(path);

        rows.Should().HaveCount(2);
        rows[0].Should().Be(new SentenceLabelRow(0, "World", "He said \" no \"", 2));
    }

    [Fact]
    public async Task LoadAsync_MaxRows_ReturnsFirstRows()
    {
        string path = _temp.File("t.tsv");
        await File.WriteAllTextAsync(path, "sentence\tlabel\ttext\n1\tSport\tSport news\n0\tWorld\tx\n");

        var rows = await SentenceLabelFile.LoadAsync(path, maxRows: 1);

        rows.Should().ContainSingle().Which.SentenceIndex.Should().Be(1);
    }

    [Fact]
    public async Task LoadAsync_BadHeader_ThrowsWithFileAndLine()
    {
        string path = _temp.File("t.tsv");
        await File.WriteAllTextAsync(path, "id,label,text\n");

        var act = () => SentenceLabelFile.LoadAsync(path);

        (await act.Should().ThrowAsync<FormatException>()).WithMessage($"{path}:1:*header*");
    }

    [Fact]
    public async Task LoadAsync_MissingField_ThrowsWithFileAndLine()
    {
        string path = _temp.File("t.tsv");
        await File.WriteAllTextAsync(path, "sentence\tlabel\ttext\n0\tWorld\tok\n1\tSport\n");

        var act = () => SentenceLabelFile.LoadAsync(path);

        (await act.Should().ThrowAsync<FormatException>()).WithMessage($"{path}:3:*3 tab-separated fields*");
    }

    [Fact]
    public async Task LoadAsync_NonNumericIndex_ThrowsWithFileAndLine()
    {
        string path = _temp.File("t.tsv");
        await File.WriteAllTextAsync(path, "sentence\tlabel\ttext\nx\tWorld\tok\n");

        var act = () => SentenceLabelFile.LoadAsync(path);

        (await act.Should().ThrowAsync<FormatException>()).WithMessage($"{path}:2:*'x'*");
    }

    [Fact]
    public void Join_MatchingText_PairsRowsWithSentences()
    {
        SentenceLabelRow[] rows = [new(1, "Sport", "Sport news", 2), new(0, "World", "He said \" no \"", 3)];

        var joined = SentenceLabelFile.Join(Sentences, rows, "t.tsv");

        joined.Select(j => (j.Sentence.Index, j.Label)).Should().Equal((1, "Sport"), (0, "World"));
    }

    [Fact]
    public void Join_TextMismatch_ThrowsNamingBothTextsAndLine()
    {
        SentenceLabelRow[] rows = [new(1, "Sport", "Sports news", 5)];

        var act = () => SentenceLabelFile.Join(Sentences, rows, "t.tsv");

        act.Should().Throw<FormatException>().WithMessage("t.tsv:5:*'Sports news'*'Sport news'*");
    }

    [Fact]
    public void Join_IndexOutOfRange_ThrowsWithLine()
    {
        var act = () => SentenceLabelFile.Join(Sentences, [new SentenceLabelRow(9, "World", "x", 4)], "t.tsv");

        act.Should().Throw<FormatException>().WithMessage("t.tsv:4:*9*");
    }

    [Fact]
    public async Task WriteAsync_Rows_RoundTripWithHeader()
    {
        string path = _temp.File("out.tsv");
        SentenceLabelRow[] rows = [new(3, "World", "a \"quoted\" text"), new(0, "Other", "b")];

        await SentenceLabelFile.WriteAsync(path, rows);
        var back = await SentenceLabelFile.LoadAsync(path);

        (await File.ReadAllLinesAsync(path))[0].Should().Be(SentenceLabelFile.Header);
        back.Select(r => (r.SentenceIndex, r.Label, r.Text)).Should().Equal((3, "World", "a \"quoted\" text"), (0, "Other", "b"));
    }

    [Fact]
    public async Task WriteAsync_TabInLabel_ThrowsAndLeavesNoFile()
    {
        string path = _temp.File("out.tsv");

        var act = () => SentenceLabelFile.WriteAsync(path, [new SentenceLabelRow(0, "Wor\tld", "a b")]);

        await act.Should().ThrowAsync<ArgumentException>();
        Directory.GetFiles(_temp.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task WriteAsync_TabOrLineBreakInText_BecomesASpaceAsInTheLabellingWriter()
    {
        string path = _temp.File("out.tsv");
        await SentenceLabelFile.WriteAsync(path, [new SentenceLabelRow(3, "World", "a\tb\nc")]);
        using var labelled = new StringWriter();
        NerClassify.Labelling.SentenceLabelWriter.Write(labelled, [new NerClassify.Labelling.SentenceLabelResult(3, "a\tb\nc", 0, "World", "World", 1, false)]);

        string written = await File.ReadAllTextAsync(path);

        written.Should().Be("sentence\tlabel\ttext\n3\tWorld\ta b c\n");
        labelled.ToString().Should().Be(written);
        (await SentenceLabelFile.LoadAsync(path)).Single().Text.Should().Be("a b c");
    }
}
