using System.Diagnostics;
using FluentAssertions;
using NerClassify.IO;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.IO;

/// <summary>Saves in a child process killed with SIGKILL at random moments (the child is this test assembly, see Program).</summary>
public sealed class AtomicDirectoryKillTests : IDisposable
{
    public const string ChildCommand = "atomic-save-forever";

    private readonly TempDirectory _temp = new();

    private string Target => _temp.File("model");

    public void Dispose() => _temp.Dispose();

    /// <summary>The child's work: save generation after generation of a 2 MB model, reporting each.</summary>
    public static void SaveForever(string target)
    {
        for (int generation = 1; ; generation++)
        {
            AtomicDirectory.Replace(target, staging => ModelFileSet.Write(staging, generation, weightBytes: 2 << 20));
            Console.Out.WriteLine($"saved {generation}");
        }
    }

    [PlatformFact(LinuxOnly = true)]
    public void Replace_ProcessKilledMidSave_OldModelIntactAndNextSaveRemovesTheLeftovers()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "README.md"), "kept");
        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 0));
        var random = new Random(17);
        int kills = 0, killsWithLeftovers = 0;

        // Kill until three kills have landed inside a save (leaving its staging behind), at most 25 times.
        while (kills < 25 && killsWithLeftovers < 3)
        {
            KillWhileSaving(random.Next(0, 40));
            kills++;
            killsWithLeftovers += Directory.GetFileSystemEntries(_temp.Path).Length > 1 ? 1 : 0;

            Directory.Exists(Target).Should().BeTrue($"kill {kills} must leave a model at the target");
            Action read = () => ModelFileSet.ReadComplete(Target);
            read.Should().NotThrow($"kill {kills} must leave one complete model");
            File.ReadAllText(Path.Combine(Target, "README.md")).Should().Be("kept");
        }

        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 1000));

        killsWithLeftovers.Should().BeGreaterThan(0, "some kill must land inside a save for this test to mean anything");
        ModelFileSet.ReadComplete(Target).Should().Be(1000);
        File.ReadAllText(Path.Combine(Target, "README.md")).Should().Be("kept");
        Directory.GetFileSystemEntries(_temp.Path).Should().Equal(Target);
    }

    /// <summary>Starts the child, waits for its second save, then kills it <paramref name="delayMs"/> later.</summary>
    private void KillWhileSaving(int delayMs)
    {
        var start = new ProcessStartInfo(DotnetHost(), ["exec", typeof(AtomicDirectoryKillTests).Assembly.Location, ChildCommand, Target])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using Process child = Process.Start(start)!;
        try
        {
            string? line;
            while ((line = child.StandardOutput.ReadLine()) is not null && line != "saved 2")
            {
            }

            line.Should().Be("saved 2", "the child must start saving");
            Thread.Sleep(delayMs);
        }
        finally
        {
            child.Kill(); // SIGKILL: no finally block or cleanup runs in the child.
            child.WaitForExit();
        }
    }

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
