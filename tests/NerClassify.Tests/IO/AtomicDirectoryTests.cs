using FluentAssertions;
using NerClassify.IO;
using NerClassify.Tests.TestSupport;

namespace NerClassify.Tests.IO;

public sealed class AtomicDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Target => _temp.File("model");

    public void Dispose()
    {
        // A test may leave a folder read-only.
        foreach (string directory in Directory.EnumerateDirectories(_temp.Path, "*", SearchOption.AllDirectories).Append(_temp.Path))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        _temp.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Replace_DirectoryWithOtherFiles_KeepsThemAndReplacesTheModelsFiles(bool allowExchange)
    {
        Directory.CreateDirectory(Path.Combine(Target, "runs", "1"));
        File.WriteAllText(Path.Combine(Target, "README.md"), "model card");
        File.WriteAllText(Path.Combine(Target, "runs", "1", "log.txt"), "epoch 1");
        File.WriteAllText(Path.Combine(Target, "vocab.txt"), "user's own vocabulary\n");

        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 1), allowExchange);
        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 2), allowExchange);

        ModelFileSet.ReadComplete(Target).Should().Be(2);
        File.ReadAllText(Path.Combine(Target, "README.md")).Should().Be("model card");
        File.ReadAllText(Path.Combine(Target, "runs", "1", "log.txt")).Should().Be("epoch 1");
        Directory.GetFileSystemEntries(_temp.Path).Should().Equal(Target);
    }

    [PlatformFact(LinuxOnly = true)]
    public void Replace_FileAddedToTargetDuringTheSave_IsKept()
    {
        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 1));

        AtomicDirectory.Replace(Target, staging =>
        {
            ModelFileSet.Write(staging, 2);
            File.WriteAllText(Path.Combine(Target, "late.txt"), "written while saving");
        });

        File.ReadAllText(Path.Combine(Target, "late.txt")).Should().Be("written while saving");
        ModelFileSet.ReadComplete(Target).Should().Be(2);
    }

    [PlatformFact(LinuxOnly = true)]
    public void Replace_SymbolicLinksInTarget_StayLinks()
    {
        Directory.CreateDirectory(Target);
        File.CreateSymbolicLink(Path.Combine(Target, "latest.txt"), "README.md");
        File.CreateSymbolicLink(Path.Combine(Target, "dangling"), "/nonexistent/nerclassify");

        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 1));

        new FileInfo(Path.Combine(Target, "latest.txt")).LinkTarget.Should().Be("README.md");
        new FileInfo(Path.Combine(Target, "dangling")).LinkTarget.Should().Be("/nonexistent/nerclassify");
    }

    [PlatformFact(LinuxOnly = true)]
    public void Replace_TargetIsASymbolicLink_SavesIntoTheLinkedDirectory()
    {
        string real = _temp.File("real");
        Directory.CreateDirectory(real);
        File.WriteAllText(Path.Combine(real, "README.md"), "kept");
        Directory.CreateSymbolicLink(Target, real);

        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 3));

        new DirectoryInfo(Target).LinkTarget.Should().Be(real);
        ModelFileSet.ReadComplete(real).Should().Be(3);
        File.ReadAllText(Path.Combine(real, "README.md")).Should().Be("kept");
    }

    /// <summary>
    /// A reader polls the target while 200 saves run. Each poll reads the generation of config.json, then the
    /// weights and vocabulary, then config.json again: when both config.json reads agree, no save completed
    /// in between, so every file read between them must carry that generation too.
    /// </summary>
    [PlatformFact(LinuxOnly = true)]
    public void Replace_ReaderPollsDuringSaves_NeverSeesAMissingOrMixedModel()
    {
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Target).FullName, "README.md"), "kept");
        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 0));
        int polls = 0, missing = 0, mixed = 0, lostReadme = 0;
        using var done = new CancellationTokenSource();
        var reader = new Thread(() =>
        {
            while (!done.IsCancellationRequested)
            {
                polls++;
                try
                {
                    int first = ModelFileSet.Read(Target, "config.json");
                    int weights = ModelFileSet.Read(Target, "model.safetensors");
                    int vocabulary = ModelFileSet.Read(Target, "vocab.txt");
                    int last = ModelFileSet.Read(Target, "config.json");
                    mixed += first == last && (weights != first || vocabulary != first) ? 1 : 0;
                }
                catch (Exception e) when (e is IOException or FormatException or ArgumentNullException)
                {
                    missing++; // Not found, or found empty or half-written.
                }

                lostReadme += File.Exists(Path.Combine(Target, "README.md")) ? 0 : 1;
            }
        });

        reader.Start();
        for (int generation = 1; generation <= 200; generation++)
        {
            AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, generation));
        }

        done.Cancel();
        reader.Join();

        polls.Should().BeGreaterThan(200);
        new { missing, mixed, lostReadme }.Should().BeEquivalentTo(new { missing = 0, mixed = 0, lostReadme = 0 }, $"the target must always hold one complete model and the other files ({polls} polls)");
        ModelFileSet.ReadComplete(Target).Should().Be(200);
    }

    [Fact]
    public void Replace_WriteThrows_KeepsTheOldTreeAndLeavesNothingBehind()
    {
        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 1));

        Action crash = () => AtomicDirectory.Replace(Target, staging =>
        {
            File.WriteAllText(Path.Combine(staging, "config.json"), "2\n");
            throw new InvalidOperationException("simulated crash");
        });

        crash.Should().Throw<InvalidOperationException>().WithMessage("simulated crash");
        ModelFileSet.ReadComplete(Target).Should().Be(1);
        Directory.GetFileSystemEntries(_temp.Path).Should().Equal(Target);
    }

    [Fact]
    public void Replace_StagingLeftByAKilledSave_IsRemovedByTheNextSave()
    {
        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 1));
        string leftover = _temp.File($"{SaveStaging.Prefix}model.{Guid.NewGuid():N}");
        ModelFileSet.Write(Directory.CreateDirectory(leftover).FullName, 2, weightBytes: 1000);
        File.WriteAllText(leftover + ".lock", "");
        File.WriteAllText(_temp.File($"{SaveStaging.Prefix}model.{Guid.NewGuid():N}.lock"), ""); // killed before its directory

        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 3));

        ModelFileSet.ReadComplete(Target).Should().Be(3);
        Directory.GetFileSystemEntries(_temp.Path).Should().Equal(Target);
    }

    [Fact]
    public void Replace_LockFileHeldByASaveThatHasNoDirectoryYet_IsKept()
    {
        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 1));
        string lockPath = _temp.File($"{SaveStaging.Prefix}model.{Guid.NewGuid():N}.lock");

        using (new FileStream(lockPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 2));

            File.Exists(lockPath).Should().BeTrue("a lock someone holds belongs to a save in progress");
        }

        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 3));

        ModelFileSet.ReadComplete(Target).Should().Be(3);
        Directory.GetFileSystemEntries(_temp.Path).Should().Equal(Target);
    }

    [Fact]
    public async Task Replace_ManyConcurrentSaves_AllSucceedAndLeaveOneCompleteModel()
    {
        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 0));

        // Every save's cleanup races the others' fresh lock files; none may fail or leave anything behind.
        Task[] savers = Enumerable.Range(1, 4).Select(saver => Task.Run(() =>
        {
            for (int generation = 1; generation <= 25; generation++)
            {
                AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, saver * 100 + generation, weightBytes: 1000));
            }
        })).ToArray();
        await Task.WhenAll(savers).WaitAsync(TimeSpan.FromMinutes(2));

        ModelFileSet.ReadComplete(Target).Should().BeOneOf(125, 225, 325, 425);
        Directory.GetFileSystemEntries(_temp.Path).Should().Equal(Target);
    }

    [Fact]
    public async Task Replace_AnotherSaveInProgress_KeepsItsStagingDirectory()
    {
        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 1));
        using var writing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        string? slowStaging = null;
        var slow = Task.Run(() => AtomicDirectory.Replace(Target, staging =>
        {
            slowStaging = staging;
            ModelFileSet.Write(staging, 2);
            writing.Set();
            release.Wait();
        }));
        writing.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();

        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 3));

        ModelFileSet.ReadComplete(slowStaging!).Should().Be(2);
        release.Set();
        await slow.WaitAsync(TimeSpan.FromSeconds(30));
        ModelFileSet.ReadComplete(Target).Should().Be(2);
        Directory.GetFileSystemEntries(_temp.Path).Should().Equal(Target);
    }

    [Fact]
    public void Replace_FallbackKilledBetweenItsRenames_NextSaveRestoresTheOldTreeFirst()
    {
        // What a two-rename save killed between its renames leaves: no target, the old tree parked beside it.
        string parked = _temp.File($"{SaveStaging.Prefix}model.{Guid.NewGuid():N}.old");
        ModelFileSet.Write(Directory.CreateDirectory(parked).FullName, 1);
        File.WriteAllText(Path.Combine(parked, "README.md"), "kept");

        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 2));

        ModelFileSet.ReadComplete(Target).Should().Be(2);
        File.ReadAllText(Path.Combine(Target, "README.md")).Should().Be("kept");
        Directory.GetFileSystemEntries(_temp.Path).Should().Equal(Target);
    }

    [PlatformFact(Unprivileged = true)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Replace_ReadOnlyTarget_ThrowsNamingTheTarget()
    {
        AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 1));
        File.SetUnixFileMode(Target, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        Action act = () => AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 2));

        act.Should().Throw<UnauthorizedAccessException>().WithMessage($"*'{Target}'*");
        ModelFileSet.ReadComplete(Target).Should().Be(1);
    }

    [PlatformFact(Unprivileged = true)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Replace_ReadOnlyParent_ThrowsNamingTheTarget()
    {
        string parent = Directory.CreateDirectory(_temp.File("models")).FullName;
        File.SetUnixFileMode(parent, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        string target = Path.Combine(parent, "model");

        Action act = () => AtomicDirectory.Replace(target, staging => ModelFileSet.Write(staging, 1));

        act.Should().Throw<UnauthorizedAccessException>().WithMessage($"*'{target}'*");
    }

    [Fact]
    public void Replace_ParentIsAFile_ThrowsNamingTheTarget()
    {
        // Unlike permission bits, this stops root too.
        File.WriteAllText(_temp.File("file.txt"), "");
        string target = Path.Combine(_temp.File("file.txt"), "model");

        Action act = () => AtomicDirectory.Replace(target, staging => ModelFileSet.Write(staging, 1));

        act.Should().Throw<IOException>().WithMessage($"Cannot save to '{target}'*");
    }

    [Fact]
    public void Replace_TargetIsAFile_ThrowsNamingIt()
    {
        File.WriteAllText(Target, "not a directory");

        Action act = () => AtomicDirectory.Replace(Target, staging => ModelFileSet.Write(staging, 1));

        act.Should().Throw<IOException>().WithMessage($"Cannot save to '{Target}': it is a file*");
        File.ReadAllText(Target).Should().Be("not a directory");
    }
}
