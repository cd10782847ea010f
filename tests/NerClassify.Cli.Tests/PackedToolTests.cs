using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NerClassify.Cli.Tests;

/// <summary>
/// Packs the tool, installs it with <c>dotnet tool install --tool-path</c> from the local package folder, and runs it as
/// a real process, as a user would. Slow (a Release build and a 230 MB package): about two minutes.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class PackedToolTests(TinyWorkspace workspace)
{
    [PackedPlatformFact]
    [Trait("Category", "Slow")]
    public void PackedTool_InstalledWithToolPath_RunsInfoAndReportsDataErrors()
    {
        string rid = RuntimeInformation.RuntimeIdentifier;
        string repository = RepositoryRoot();
        string packages = Path.Combine(workspace.Root, "packages");
        string tools = Path.Combine(packages, "tools");
        string version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";

        // Only this platform's package: the other platforms' libtorch would triple the time.
        Run("dotnet", repository, "pack", Path.Combine(repository, "src", "NerClassify.Cli"), "-c", "Release", "-o", packages,
            $"-p:ToolPackageRuntimeIdentifiers={rid}", $"-p:Version={version}", "--nologo").ExitCode.Should().Be(0);
        Run("dotnet", workspace.Root, "tool", "install", "NerClassify.Cli", "--tool-path", tools, "--add-source", packages, "--version", version)
            .ExitCode.Should().Be(0);
        string tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "nerclassify.exe" : "nerclassify");

        (int code, string output) info = Run(tool, workspace.Root, "info", workspace.NerModel);
        info.code.Should().Be(0, info.output);
        info.output.Should().Contain("Token").And.Contain("B-PER").And.Contain("hidden size 32");

        string malformed = workspace.Write("packed-malformed.conll", "john B-PER\nsmith NOT-A-TAG\n");
        (int code, string output) evaluate = Run(tool, workspace.Root, "evaluate", workspace.NerModel, malformed);
        evaluate.code.Should().Be(2, evaluate.output);
        evaluate.output.Should().Contain("packed-malformed.conll:2");
    }

    private static (int ExitCode, string Output) Run(string fileName, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in 5 minutes.");
        }

        return (process.ExitCode, $"{fileName} {string.Join(' ', args)}\n{output.Result}\n{error.Result}");
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NerClassify.Library.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No NerClassify.Library.sln above {AppContext.BaseDirectory}.");
    }
}
