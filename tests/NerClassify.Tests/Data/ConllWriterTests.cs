using NerClassify.Tests.TestSupport;
using FluentAssertions;
using NerClassify.Data;

namespace NerClassify.Tests.Data;

public sealed class ConllWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ConllReader _reader = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task WriteAsync_FourColumnFile_RoundTripsExactly()
    {
        const string text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n\n-DOCSTART- -X- -X- O\n\nBRUSSELS NNP B-NP B-LOC\n\n";
        string source = _temp.File("in.txt");
        await File.WriteAllTextAsync(source, text);
        var corpus = await _reader.LoadAsync(source);
        string target = _temp.File("out.txt");

        await ConllWriter.WriteAsync(target, corpus.Sentences);

        (await File.ReadAllTextAsync(target)).Should().Be(text);
    }

    [Fact]
    public async Task WriteAsync_ConvertedTags_ReadBackEqual()
    {
        string source = _temp.File("in.txt");
        await File.WriteAllTextAsync(source, "John B-PER\nSmith I-PER\nvisits O\nParis B-LOC\n\nx O\n");
        var iob2 = await _reader.LoadAsync(source);
        var bioes = iob2.Sentences.Select(s => s with { Tags = TagSchemeConverter.Convert(s.Tags, LabelScheme.Bioes) }).ToList();
        string target = _temp.File("out.txt");

        await ConllWriter.WriteAsync(target, bioes, new ConllWriterOptions { WriteDocumentBoundaries = false });
        var back = await _reader.LoadAsync(target, new ConllReaderOptions { TargetScheme = LabelScheme.Iob2 });

        back.DetectedScheme.Should().Be(LabelScheme.Bioes);
        back.Sentences.Select(s => s.Tags).Should().BeEquivalentTo(iob2.Sentences.Select(s => s.Tags), o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task WriteAsync_TagColumnFirst_PutsTagInChosenColumn()
    {
        var sentence = new ConllSentence(["John"], ["B-PER"]) { ExtraColumns = [new[] { "NNP" }] };
        using var writer = new StringWriter { NewLine = "\n" };

        await ConllWriter.WriteAsync(writer, [sentence], new ConllWriterOptions { TagColumn = 0, WordColumn = 1, Separator = '\t', WriteDocumentBoundaries = false });

        writer.ToString().Should().Be("B-PER\tJohn\tNNP\n\n");
    }

    [Fact]
    public async Task WriteAsync_ExistingFile_ReplacesItWithoutLeavingTempFiles()
    {
        string target = _temp.File("out.txt");
        await File.WriteAllTextAsync(target, "old");

        await ConllWriter.WriteAsync(target, [new ConllSentence(["a"], ["O"])], new ConllWriterOptions { WriteDocumentBoundaries = false });

        (await File.ReadAllTextAsync(target)).Should().Be("a O\n\n");
        Directory.GetFiles(_temp.Path).Should().ContainSingle();
    }
}
