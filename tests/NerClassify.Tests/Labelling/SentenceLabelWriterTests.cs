using NerClassify.Tests.TestSupport;
using FluentAssertions;
using NerClassify.Labelling;

namespace NerClassify.Tests.Labelling;

public sealed class SentenceLabelWriterTests : IDisposable
{
    private static readonly SentenceLabelResult[] Results =
    [
        new(5, "Slask Wroclaw 3 Odra Wodzislaw 1", 1, "Sport", "1", 1, false),
        new(2, "banana sentence", null, null, "banana", 3, false),
        new(9, "He said \" no \"", 0, "World", "0", 0, true),
        new(11, "tab\there", 4, "Other", "4", 1, false),
    ];

    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Write_Results_WritesHeaderAndLabelledRowsInOrder()
    {
        string path = _folder.File("labels.tsv");

        int rows = SentenceLabelWriter.Write(path, Results);

        rows.Should().Be(3);
        File.ReadAllText(path).Should().Be(
            "sentence\tlabel\ttext\n" +
            "5\tSport\tSlask Wroclaw 3 Odra Wodzislaw 1\n" +
            "9\tWorld\tHe said \" no \"\n" +
            "11\tOther\ttab here\n");
    }

    [Fact]
    public void Write_ExistingFile_ReplacesItAndLeavesNoTemporaryFile()
    {
        string path = _folder.File("labels.tsv");
        File.WriteAllText(path, "old content that is longer than the new one, much longer, really quite long indeed\n");

        SentenceLabelWriter.Write(path, Results.Take(1));

        File.ReadAllText(path).Should().Be("sentence\tlabel\ttext\n5\tSport\tSlask Wroclaw 3 Odra Wodzislaw 1\n");
        Directory.GetFiles(_folder.Path).Should().ContainSingle();
    }
}
