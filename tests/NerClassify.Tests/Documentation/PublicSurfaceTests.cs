using System.Reflection;
using System.Text.RegularExpressions;
using FluentAssertions;
using NerClassify.Labelling;
using NerClassify.OnnxRuntime;
using NerClassify.Pretrained;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Documentation;

/// <summary>The public surface stays small, and every public type is named where a user reads about it.</summary>
public sealed class PublicSurfaceTests
{
    private static readonly Assembly[] Libraries =
    [
        typeof(NerClassifier).Assembly,
        typeof(ModelConfig).Assembly,
        typeof(OnnxNerClassifier).Assembly,
        typeof(SentenceLabeller).Assembly,
        typeof(PretrainedEncoders).Assembly,
    ];

    [Fact]
    public void CorePackages_ExposeAtMost61Types()
    {
        Type[] types = [.. typeof(NerClassifier).Assembly.GetExportedTypes(), .. typeof(ModelConfig).Assembly.GetExportedTypes()];

        // 56 after the redesign (half of the 112 types they once had), plus SelfTrainingOptions and SentencePooling,
        // DocumentContext with its options (issue 18's levers, each a type a user names), and TrainingPhase, which
        // tells a progress consumer whether a report is a step, the start of validation or the end of an epoch.
        types.Should().HaveCountLessThanOrEqualTo(61, "the core packages stay near half of the 112 types they once exposed");
    }

    [Fact]
    public void EveryPublicType_IsNamedInTheDocsOrASample()
    {
        string root = TestPaths.RepositoryRoot!;
        string text = string.Join('\n', new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md"))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "samples"), "*.cs", SearchOption.AllDirectories))
            .Select(File.ReadAllText));

        string[] unnamed = Libraries.SelectMany(a => a.GetExportedTypes())
            .Select(t => t.Name.Split('`')[0])
            .Where(name => !Regex.IsMatch(text, $@"\b{Regex.Escape(name)}\b"))
            .ToArray();

        unnamed.Should().BeEmpty("a public type no doc or sample names is plumbing");
    }
}
