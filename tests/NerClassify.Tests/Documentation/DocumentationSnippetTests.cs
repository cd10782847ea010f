using System.Reflection;
using System.Text.RegularExpressions;
using FluentAssertions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NerClassify.Tests.TestSupport;
using Xunit.Abstractions;

namespace NerClassify.Tests.Documentation;

/// <summary>
/// Compiles every <c>```csharp</c> block of README.md and docs/*.md as a program of its own against the libraries, so
/// the documentation cannot drift from the API. Blocks are compiled, not run (they read files a reader has).
/// </summary>
public sealed partial class DocumentationSnippetTests(ITestOutputHelper output)
{
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<MetadataReference[]> References = new(LoadReferences);

    /// <summary>Every C# block, by file and position.</summary>
    public static TheoryData<string, int> Snippets()
    {
        var data = new TheoryData<string, int>();
        foreach (string file in DocumentFiles())
        {
            int count = CSharpBlocks(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot!, file))).Count;
            for (int i = 0; i < count; i++)
            {
                data.Add(file, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_CompilesAgainstTheLibraries(string file, int index)
    {
        string code = CSharpBlocks(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot!, file)))[index];
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        CSharpCompilation compilation = CSharpCompilation.Create(
            $"Snippet{index}",
            [CSharpSyntaxTree.ParseText(code, parse, path: file), CSharpSyntaxTree.ParseText(ImplicitUsings, parse)],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        string[] errors = compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && d.WarningLevel <= 1))
            .Select(d => d.ToString())
            .ToArray();

        output.WriteLine(code);
        errors.Should().BeEmpty($"block {index} of {file} must compile");
    }

    [Fact]
    public void Documents_HaveCSharpBlocks()
    {
        CSharpBlocks(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot!, "README.md"))).Should().HaveCountGreaterThanOrEqualTo(4);
    }

    private static IEnumerable<string> DocumentFiles()
    {
        string root = TestPaths.RepositoryRoot ?? throw new InvalidOperationException("The repository root was not found.");
        yield return "README.md";
        foreach (string doc in Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            yield return Path.GetRelativePath(root, doc);
        }
    }

    private static List<string> CSharpBlocks(string markdown) =>
        Block().Matches(markdown).Select(m => m.Groups["code"].Value).ToList();

    private static MetadataReference[] LoadReferences()
    {
        // The test host's trusted assemblies: the framework, the libraries and their dependencies.
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return trusted.Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && IsManaged(path))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
    }

    private static bool IsManaged(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^```csharp[ \t]*\r?\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Block();
}
