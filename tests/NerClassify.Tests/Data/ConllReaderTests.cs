using NerClassify.Tests.TestSupport;
using FluentAssertions;
using NerClassify.Data;

namespace NerClassify.Tests.Data;

public sealed class ConllReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ConllReader _reader = new();

    public void Dispose() => _temp.Dispose();

    private string Write(string name, string text)
    {
        string path = _temp.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private async Task<List<ConllSentence>> ReadAllAsync(string path, ConllReaderOptions? options = null)
    {
        var list = new List<ConllSentence>();
        await foreach (var s in _reader.ReadAsync(path, options))
        {
            list.Add(s);
        }

        return list;
    }

    [Fact]
    public async Task ReadAsync_FourColumns_ReadsWordsTagsAndExtraColumns()
    {
        string path = Write("a.txt", "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n");

        var sentences = await ReadAllAsync(path);

        sentences.Should().HaveCount(2);
        sentences[0].Words.Should().Equal("EU", "rejects");
        sentences[0].Tags.Should().Equal("B-ORG", "O");
        sentences[0].ExtraColumns.Should().HaveCount(2);
        sentences[0].ExtraColumns[0].Should().Equal("NNP", "VBZ");
        sentences[0].ExtraColumns[1].Should().Equal("B-NP", "B-VP");
        sentences[0].LineNumber.Should().Be(3);
        sentences[1].Index.Should().Be(1);
        sentences[1].LineNumber.Should().Be(6);
    }

    [Fact]
    public async Task ReadAsync_TwoColumns_ReadsWordsAndTags()
    {
        string path = Write("a.txt", "John B-PER\nlives O\n\nin O\nParis B-LOC\n");

        var sentences = await ReadAllAsync(path);

        sentences.Select(s => s.Text).Should().Equal("John lives", "in Paris");
        sentences[1].Tags.Should().Equal("O", "B-LOC");
        sentences[0].ExtraColumns.Should().BeEmpty();
    }

    [Fact]
    public async Task ReadAsync_TagColumnInMiddle_ReadsChosenColumn()
    {
        string path = Write("a.txt", "John\tB-PER\tNNP\nruns\tO\tVBZ\n");

        var sentences = await ReadAllAsync(path, new ConllReaderOptions { TagColumn = 1 });

        sentences[0].Tags.Should().Equal("B-PER", "O");
        sentences[0].ExtraColumns.Should().ContainSingle().Which.Should().Equal("NNP", "VBZ");
    }

    [Fact]
    public async Task ReadAsync_CrlfAndTrailingBlankLines_IgnoresThem()
    {
        string path = Write("a.txt", "\r\n\r\nJohn B-PER\r\n  \r\nruns O\r\n\r\n\r\n");

        var sentences = await ReadAllAsync(path);

        sentences.Select(s => s.Text).Should().Equal("John", "runs");
    }

    [Fact]
    public async Task ReadAsync_DocStart_CountsDocumentsAndNeverYieldsIt()
    {
        string path = Write("a.txt", "-DOCSTART- -X- O\n\na x O\n\nb x O\n\n-DOCSTART- -X- O\n\nc x O\n-DOCSTART- -X- O\nd x O\n");

        var sentences = await ReadAllAsync(path);

        sentences.Select(s => s.Text).Should().Equal("a", "b", "c", "d");
        sentences.Select(s => s.Index).Should().Equal(0, 1, 2, 3);
        sentences.Select(s => s.DocumentIndex).Should().Equal(0, 0, 1, 2);
    }

    [Fact]
    public async Task LoadAsync_DocStart_BuildsDocumentsIncludingSentencesBeforeFirstDocStart()
    {
        string path = Write("a.txt", "a O\n\n-DOCSTART- O\n\nb O\n\n-DOCSTART- O\n\n");

        var corpus = await _reader.LoadAsync(path);

        corpus.Documents.Should().HaveCount(3);
        corpus.Documents[0].LineNumber.Should().Be(0);
        corpus.Documents[0].Sentences.Should().ContainSingle().Which.Text.Should().Be("a");
        corpus.Documents[1].LineNumber.Should().Be(3);
        corpus.Documents[1].Sentences.Should().ContainSingle().Which.Text.Should().Be("b");
        corpus.Documents[2].Sentences.Should().BeEmpty();
    }

    [Fact]
    public async Task ReadAsync_WrongColumnCountMidSentence_ThrowsWithFileAndLine()
    {
        string path = Write("bad.txt", "John NNP B-PER\nruns O\n");

        var act = () => ReadAllAsync(path, new ConllReaderOptions { FileName = "bad.txt" });

        (await act.Should().ThrowAsync<FormatException>()).WithMessage("bad.txt:2:*expected 3 columns*found 2*");
    }

    [Fact]
    public async Task ReadAsync_NoBreakSpaceInsideWord_KeepsItInTheWord()
    {
        // Only spaces and tabs separate columns: U+00A0 and U+2009 belong to the word (issue 31, item 11).
        string path = Write("nbsp.txt", "10\u00A0000 CD O\nNew\u2009York NNP B-LOC\n\nParis NNP B-LOC\n");

        var sentences = await ReadAllAsync(path);

        sentences[0].Words.Should().Equal("10\u00A0000", "New\u2009York");
        sentences[0].Tags.Should().Equal("O", "B-LOC");
        sentences[1].Words.Should().Equal("Paris");
    }

    [Fact]
    public async Task ReadAsync_OneColumnLine_SaysItNeedsAWordAndATag()
    {
        string path = Write("one.txt", "John B-PER\n\nruns\n");

        var act = () => ReadAllAsync(path, new ConllReaderOptions { FileName = "one.txt" });

        var error = await act.Should().ThrowAsync<FormatException>();
        error.WithMessage("one.txt:3: expected a word and a tag separated by spaces or tabs, but the line has 1 column: 'runs'.");
        error.Which.Message.Should().NotContain("column 0");
    }

    [Fact]
    public async Task ReadAsync_InvalidTag_ThrowsWithFileAndLine()
    {
        string path = Write("bad.txt", "John B-PER\n\nruns X-VERB\n");

        var act = () => ReadAllAsync(path);

        (await act.Should().ThrowAsync<FormatException>()).WithMessage($"{path}:3:*invalid tag 'X-VERB'*");
    }

    [Fact]
    public async Task ReadAsync_BioesTagUnderDeclaredIob2_ThrowsWithFileAndLine()
    {
        string path = Write("bad.txt", "John S-PER\n");

        var act = () => ReadAllAsync(path, new ConllReaderOptions { Scheme = LabelScheme.Iob2, FileName = "f" });

        (await act.Should().ThrowAsync<FormatException>()).WithMessage("f:1:*'S-PER'*Iob2*");
    }

    [Fact]
    public async Task ReadAsync_OneColumn_ThrowsWithFileAndLine()
    {
        string path = Write("bad.txt", "John\n");

        var act = () => ReadAllAsync(path, new ConllReaderOptions { FileName = "f" });

        (await act.Should().ThrowAsync<FormatException>()).WithMessage("f:1:*1 column*");
    }

    [Fact]
    public async Task LoadAsync_InsideAfterOutsideUnderIob2Warn_KeepsTagAndWarnsWithLine()
    {
        string path = Write("a.txt", "The O\nJohn B-PER\n\nsaid O\nSmith I-PER\n");

        var corpus = await _reader.LoadAsync(path, new ConllReaderOptions { FileName = "a.txt" });

        corpus.DetectedScheme.Should().Be(LabelScheme.Iob2);
        corpus.Sentences[1].Tags.Should().Equal("O", "I-PER");
        corpus.Warnings.Should().ContainSingle().Which.ToString().Should().Match("a.txt:5:*'I-PER' after 'O'*kept*");
    }

    [Fact]
    public async Task LoadAsync_InsideAfterOutsideUnderIob2Repair_RewritesToBegin()
    {
        string path = Write("a.txt", "said O\nSmith I-PER\nJones I-PER\n");

        var corpus = await _reader.LoadAsync(path, new ConllReaderOptions { Scheme = LabelScheme.Iob2, InvalidTransitions = InvalidTransitionHandling.Repair });

        corpus.Sentences[0].Tags.Should().Equal("O", "B-PER", "I-PER");
        corpus.Warnings.Should().ContainSingle().Which.LineNumber.Should().Be(2);
    }

    [Fact]
    public async Task ReadAsync_InsideAfterOutsideUnderIob2Throw_ThrowsWithFileAndLine()
    {
        string path = Write("a.txt", "x O\n\nsaid O\nSmith I-PER\n");

        var act = () => ReadAllAsync(path, new ConllReaderOptions { Scheme = LabelScheme.Iob2, InvalidTransitions = InvalidTransitionHandling.Throw, FileName = "a.txt" });

        (await act.Should().ThrowAsync<FormatException>()).WithMessage("a.txt:4:*'I-PER' after 'O'*");
    }

    [Fact]
    public async Task ReadAsync_InsideAfterOutsideUnderIob2Repair_RepairsWhileStreaming()
    {
        string path = Write("a.txt", "said O\nSmith I-PER\n");

        var sentences = await ReadAllAsync(path, new ConllReaderOptions { Scheme = LabelScheme.Iob2, InvalidTransitions = InvalidTransitionHandling.Repair });

        sentences[0].Tags.Should().Equal("O", "B-PER");
    }

    [Theory]
    [InlineData("John I-PER\nSmith I-PER\nand O\nMary I-PER\nAnn B-PER\n", LabelScheme.Iob1)]
    [InlineData("John B-PER\nSmith I-PER\nand O\nMary B-PER\n", LabelScheme.Iob2)]
    [InlineData("John B-PER\nSmith E-PER\nand O\nMary S-PER\n", LabelScheme.Bioes)]
    [InlineData("all O\nquiet O\n", LabelScheme.Iob2)]
    public async Task LoadAsync_TagsOfScheme_DetectsScheme(string text, LabelScheme expected)
    {
        string path = Write("a.txt", text);

        var corpus = await _reader.LoadAsync(path);

        corpus.DetectedScheme.Should().Be(expected);
        corpus.Warnings.Should().BeEmpty();
    }

    [Fact]
    public async Task LoadAsync_Iob1ToBioes_ConvertsTags()
    {
        string path = Write("a.txt", "John I-PER\nSmith I-PER\nMary B-PER\nin O\nParis I-LOC\n");

        var corpus = await _reader.LoadAsync(path, new ConllReaderOptions { TargetScheme = LabelScheme.Bioes });

        corpus.DetectedScheme.Should().Be(LabelScheme.Iob1);
        corpus.Scheme.Should().Be(LabelScheme.Bioes);
        corpus.Sentences[0].Tags.Should().Equal("B-PER", "E-PER", "S-PER", "O", "S-LOC");
    }

    [Fact]
    public async Task LoadAsync_InvalidBioes_WarnsAtOffendingLine()
    {
        string path = Write("a.txt", "John B-PER\nsaid O\n");

        var corpus = await _reader.LoadAsync(path, new ConllReaderOptions { Scheme = LabelScheme.Bioes, FileName = "b" });

        corpus.Warnings.Should().ContainSingle().Which.ToString().Should().StartWith("b:2:");
    }

    [Fact]
    public async Task ReadAsync_TextReader_UsesGivenFileNameInMessages()
    {
        using var text = new StringReader("a B-PER\nb\n");

        var act = async () =>
        {
            await foreach (var _ in _reader.ReadAsync(text, new ConllReaderOptions { FileName = "mem.conll" }))
            {
            }
        };

        (await act.Should().ThrowAsync<FormatException>()).WithMessage("mem.conll:2:*");
    }

    [Fact]
    public void ReadAsync_MissingFile_ThrowsBeforeEnumeration()
    {
        var act = () => _reader.ReadAsync(_temp.File("missing.txt"));

        act.Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public void ReadAsync_NegativeTagColumn_ThrowsNamingProperty()
    {
        var act = () => _reader.ReadAsync(new StringReader(""), new ConllReaderOptions { TagColumn = -1 });

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("TagColumn");
    }

    [Fact]
    public async Task ReadAsync_Cancelled_StopsReading()
    {
        string path = Write("a.txt", "a O\n\nb O\n");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var act = () => _reader.ReadAsync(path, null, cts.Token).ToBlockingEnumerableList();

        act.Should().Throw<OperationCanceledException>();
    }
}
