using System.Text.Json.Nodes;
using FluentAssertions;
using NerClassify.Samples.Service;

namespace NerClassify.Service.Tests;

/// <summary>The Dockerfile, its .dockerignore and the service's configuration defaults (no docker engine is needed).</summary>
public sealed class ContainerImageTests
{
    private static readonly string Root = RepositoryRoot();

    private static string[] DockerfileLines => File.ReadAllLines(Path.Combine(Root, "samples", "NerClassify.Samples.Service", "Dockerfile"))
        .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    [Fact]
    public void Dockerfile_RestoresFromTheProjectFilesBeforeCopyingTheSources()
    {
        string[] lines = DockerfileLines;
        int restore = Array.FindIndex(lines, l => l.StartsWith("RUN ", StringComparison.Ordinal) && l.Contains("dotnet restore", StringComparison.Ordinal));
        int copyAll = Array.FindIndex(lines, l => l.StartsWith("COPY . ", StringComparison.Ordinal) || l.StartsWith("COPY src ", StringComparison.Ordinal));

        restore.Should().BePositive("restore runs in its own layer");
        copyAll.Should().BeGreaterThan(restore, "the sources are copied after restore, so a source change keeps the restore layer");
        lines.Take(restore).Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).Should().Contain(l => l.Contains("Directory.Packages.props", StringComparison.Ordinal))
            .And.Contain(l => l.Contains(".csproj", StringComparison.Ordinal));
    }

    [Fact]
    public void Dockerfile_PublishesForLinuxX64Only()
    {
        DockerfileLines.Where(l => l.Contains("dotnet restore", StringComparison.Ordinal) || l.Contains("dotnet publish", StringComparison.Ordinal))
            .Should().HaveCount(2).And.OnlyContain(l => l.Contains("-r linux-x64", StringComparison.Ordinal));
    }

    [Fact]
    public void Dockerignore_LeavesOutGitBuildOutputsAndData()
    {
        string file = Path.Combine(Root, ".dockerignore");

        File.Exists(file).Should().BeTrue("the build context must not carry .git, bin/ and obj/");
        File.ReadAllLines(file).Select(l => l.Trim()).Should().Contain([".git", "**/bin", "**/obj"]);
    }

    [Fact]
    public void Defaults_MicroBatching_IsOffInTheServiceAndItsAppsettings()
    {
        JsonNode settings = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "samples", "NerClassify.Samples.Service", "appsettings.json")))!;

        new ServingOptions().MicroBatching.Enabled.Should().BeFalse("micro-batching measured slower on mixed-length traffic (docs/serving.md)");
        ((bool?)settings["Serving"]?["MicroBatching"]?["Enabled"] ?? false).Should().BeFalse();
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NerClassify.Library.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No NerClassify.Library.sln above {AppContext.BaseDirectory}.");
    }
}
