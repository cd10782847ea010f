using NerClassify.Tests.IO;

namespace NerClassify.Tests;

/// <summary>
/// The test assembly's entry point (the test SDK's generated one is turned off). The test runner never calls it;
/// tests start it as a child process (<c>dotnet exec NerClassify.Tests.dll …</c>) when they need a process to kill.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args is [AtomicDirectoryKillTests.ChildCommand, string target])
        {
            AtomicDirectoryKillTests.SaveForever(target);
        }

        return 0;
    }
}
