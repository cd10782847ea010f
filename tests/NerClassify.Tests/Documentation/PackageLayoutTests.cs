using System.Text.RegularExpressions;
using FluentAssertions;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.Documentation;

/// <summary>
/// A namespace says which package holds a type: every namespace is declared in one shipped assembly (a project under
/// src/), so that a <c>using</c> line names one package. Microsoft.Extensions.DependencyInjection is the exception
/// the Microsoft.Extensions convention asks for: each package puts its <c>AddXxx</c> extension methods there.
/// </summary>
public sealed partial class PackageLayoutTests
{
    private const string ExtensionMethodNamespace = "Microsoft.Extensions.DependencyInjection";

    [Fact]
    public void EachNamespace_IsDeclaredInOneShippedAssembly()
    {
        string src = Path.Combine(TestPaths.RepositoryRoot!, "src");
        var projectsByNamespace = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (string project in Directory.EnumerateDirectories(src))
        {
            foreach (string file in SourceFiles(project))
            {
                foreach (Match match in NamespaceLine().Matches(File.ReadAllText(file)))
                {
                    string name = match.Groups["name"].Value;
                    if (!projectsByNamespace.TryGetValue(name, out SortedSet<string>? projects))
                    {
                        projectsByNamespace[name] = projects = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    projects.Add(Path.GetFileName(project));
                }
            }
        }

        string[] split = projectsByNamespace
            .Where(n => n.Key != ExtensionMethodNamespace && n.Value.Count > 1)
            .Select(n => $"{n.Key}: {string.Join(", ", n.Value)}")
            .ToArray();

        projectsByNamespace.Should().ContainKey("NerClassify", "the scan reads the library's sources");
        split.Should().BeEmpty("a namespace names the one package that holds its types");
    }

    [Fact]
    public void EachNamespace_OfTheLoadedLibraries_BelongsToOneAssembly()
    {
        string[] split = PublicSurfaceTests.Libraries
            .SelectMany(a => a.GetTypes().Select(t => (Namespace: t.Namespace, Assembly: a.GetName().Name!)))
            .Where(t => t.Namespace is not null && t.Namespace.StartsWith("NerClassify", StringComparison.Ordinal))
            .Distinct()
            .GroupBy(t => t.Namespace!)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(t => t.Assembly).Order(StringComparer.Ordinal))}")
            .ToArray();

        split.Should().BeEmpty("the compiled libraries, generated code included, keep one assembly per namespace");
    }

    private static IEnumerable<string> SourceFiles(string project) =>
        Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [GeneratedRegex(@"^namespace (?<name>[A-Za-z_][\w.]*)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();
}
