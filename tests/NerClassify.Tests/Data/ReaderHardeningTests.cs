using System.Text;
using FluentAssertions;
using NerClassify.Data;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Data;

/// <summary>Readers that used to misread or overshare (issue 17, items 8 to 11).</summary>
public sealed class ReaderHardeningTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(string name, byte[] bytes)
    {
        string path = _temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task ReadAsync_SentenceWithoutTheNerColumn_ThrowsWithFileAndLine()
    {
        // The second sentence lost its NER column: its last column holds chunk tags, which look like entity tags.
        string path = Write("a.txt", "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP\nBlackburn NNP I-NP\n");

        Func<Task> act = async () => await new ConllReader().ReadAsync(path).ToListAsync();

        (await act.Should().ThrowAsync<FormatException>()).Which.Message.Should().StartWith($"{path}:4:").And.Contain("4 columns").And.Contain("line 1");
    }

    [Fact]
    public async Task LoadAsync_SentenceWithAnExtraColumn_ThrowsWithFileAndLine()
    {
        string path = Write("a.txt", "John B-PER\n\nParis NNP B-LOC\n");

        Func<Task> act = () => new ConllReader().LoadAsync(path);

        (await act.Should().ThrowAsync<FormatException>()).Which.Message.Should().StartWith($"{path}:3:");
    }

    [Fact]
    public async Task ReadAsync_AfterADocStart_KeepsCheckingTheFilesColumnCount()
    {
        string path = Write("a.txt", "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\n\n-DOCSTART- -X- -X- O\n\nPeter NNP I-NP\n");

        Func<Task> act = async () => await new ConllReader().ReadAsync(path).ToListAsync();

        (await act.Should().ThrowAsync<FormatException>()).Which.Message.Should().StartWith($"{path}:7:");
    }

    [Fact]
    public async Task Join_DuplicateIdWithConflictingLabels_ThrowsNamingBothLines()
    {
        string conll = Write("a.conll", "John B-PER\nlives O\n\nin O\nParis B-LOC\n");
        string labels = Write("a.tsv", $"{SentenceLabelFile.Header}\n0\tPeople\tJohn lives\n1\tPlaces\tin Paris\n0\tPlaces\tJohn lives\n");
        var corpus = await new ConllReader().LoadAsync(conll);
        var rows = await SentenceLabelFile.LoadAsync(labels);

        Action act = () => SentenceLabelFile.Join(corpus.Sentences, rows, labels);

        act.Should().Throw<FormatException>().Which.Message.Should().StartWith($"{labels}:4:").And.Contain("line 2").And.Contain("People").And.Contain("Places");
    }

    [Fact]
    public async Task Join_IdenticalDuplicateRow_JoinsTheSentenceOnce()
    {
        string conll = Write("a.conll", "John B-PER\nlives O\n\nin O\nParis B-LOC\n");
        string labels = Write("a.tsv", $"{SentenceLabelFile.Header}\n0\tPeople\tJohn lives\n1\tPlaces\tin Paris\n0\tPeople\tJohn lives\n");
        var corpus = await new ConllReader().LoadAsync(conll);
        var rows = await SentenceLabelFile.LoadAsync(labels);

        var joined = SentenceLabelFile.Join(corpus.Sentences, rows, labels);

        joined.Select(j => (j.Sentence.Index, j.Label)).Should().Equal((0, "People"), (1, "Places"));
    }

    [Fact]
    public async Task ReadAsync_ConllWithInvalidUtf8_ThrowsNamingFileAndLine()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("John B-PER\nlives O\n\nPar"), 0xFF, 0xFE, .. Encoding.UTF8.GetBytes("is B-LOC\n")];
        string path = Write("a.txt", bytes);

        Func<Task> act = async () => await new ConllReader().ReadAsync(path).ToListAsync();

        (await act.Should().ThrowAsync<FormatException>()).Which.Message.Should().StartWith($"{path}:4:").And.Contain("UTF-8");
    }

    [Fact]
    public async Task ReadAsync_InvalidUtf8FarIntoALargeFile_NamesTheExactLine()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 20_000; i++)
        {
            text.Append("word O\n");
        }

        byte[] bytes = [.. Encoding.UTF8.GetBytes(text.ToString()), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(" O\n")];
        string path = Write("a.txt", bytes);

        Func<Task> act = async () => await new ConllReader().ReadAsync(path).ToListAsync();

        (await act.Should().ThrowAsync<FormatException>()).Which.Message.Should().StartWith($"{path}:20001:");
    }

    [Fact]
    public async Task ReadAsync_Utf8WithBomAndCrLf_ReadsAsBefore()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("Zürich B-LOC\r\nlives O\r\n\r\nin O\r")];
        string path = Write("a.txt", bytes);

        var sentences = await new ConllReader().ReadAsync(path).ToListAsync();

        sentences.Select(s => s.Text).Should().Equal("Zürich lives", "in");
        sentences[1].LineNumber.Should().Be(4);
    }

    [Fact]
    public async Task ReadAsync_SentenceLabelFileWithInvalidUtf8_ThrowsNamingFileAndLine()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes($"{SentenceLabelFile.Header}\n0\tPeople\tJohn lives\n1\tPlaces\tin Par"), 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes("is\n")];
        string path = Write("a.tsv", bytes);

        Func<Task> act = () => SentenceLabelFile.LoadAsync(path);

        (await act.Should().ThrowAsync<FormatException>()).Which.Message.Should().StartWith($"{path}:3:").And.Contain("UTF-8");
    }

    [Fact]
    public async Task ReadAsync_HugeMalformedConllLine_QuotesOnlyAnExcerpt()
    {
        string path = Write("a.txt", "John B-PER\n\n" + new string('x', 1_000_000) + "\n");

        Func<Task> act = async () => await new ConllReader().ReadAsync(path).ToListAsync();

        var error = (await act.Should().ThrowAsync<FormatException>()).Which;
        error.Message.Length.Should().BeLessThan(1_000);
        error.Message.Should().Contain("...");
    }

    [Fact]
    public async Task ReadAsync_HugeInvalidTag_QuotesOnlyAnExcerpt()
    {
        string path = Write("a.txt", "John " + new string('Q', 1_000_000) + "\n");

        Func<Task> act = async () => await new ConllReader().ReadAsync(path).ToListAsync();

        (await act.Should().ThrowAsync<FormatException>()).Which.Message.Length.Should().BeLessThan(1_000);
    }

    [Fact]
    public async Task ReadAsync_HugeSentenceLabelHeader_QuotesOnlyAnExcerpt()
    {
        string path = Write("a.tsv", new string('h', 1_000_000) + "\n");

        Func<Task> act = () => SentenceLabelFile.LoadAsync(path);

        (await act.Should().ThrowAsync<FormatException>()).Which.Message.Length.Should().BeLessThan(1_000);
    }

    [Fact]
    public async Task ReadAsync_HugeSentenceIndex_QuotesOnlyAnExcerpt()
    {
        string path = Write("a.tsv", $"{SentenceLabelFile.Header}\n{new string('9', 1_000_000)}\tPeople\tJohn\n");

        Func<Task> act = () => SentenceLabelFile.LoadAsync(path);

        (await act.Should().ThrowAsync<FormatException>()).Which.Message.Length.Should().BeLessThan(1_000);
    }

    [Fact]
    public async Task Join_HugeMismatchedText_QuotesOnlyAnExcerpt()
    {
        string conll = Write("a.conll", "John B-PER\nlives O\n");
        string labels = Write("a.tsv", $"{SentenceLabelFile.Header}\n0\tPeople\t{new string('t', 1_000_000)}\n");
        var corpus = await new ConllReader().LoadAsync(conll);
        var rows = await SentenceLabelFile.LoadAsync(labels);

        Action act = () => SentenceLabelFile.Join(corpus.Sentences, rows, labels);

        act.Should().Throw<FormatException>().Which.Message.Length.Should().BeLessThan(1_000);
    }
}
