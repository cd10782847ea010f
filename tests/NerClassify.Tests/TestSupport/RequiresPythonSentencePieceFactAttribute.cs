using System.Diagnostics;

namespace NerClassify.Tests.TestSupport;

/// <summary>
/// A fact that is skipped unless the shared data folder is present and <c>python3</c> imports <c>sentencepiece</c>
/// (Debian's <c>python3-sentencepiece</c>): the reference it compares with is computed when the test runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresPythonSentencePieceFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Python = new(FindPython);

    public RequiresPythonSentencePieceFactAttribute()
    {
        if (TestPaths.DataDirectory is null)
        {
            Skip = "The shared data folder ../shared/data is not present.";
        }
        else if (Python.Value is null)
        {
            Skip = "python3 with the sentencepiece module (Debian: python3-sentencepiece) is not installed.";
        }
    }

    /// <summary>A python3 that imports sentencepiece, or null.</summary>
    public static string? PythonPath => Python.Value;

    private static string? FindPython()
    {
        foreach (string candidate in (string[])["/usr/bin/python3", "python3"])
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(candidate, ["-c", "import sentencepiece"]) { RedirectStandardError = true, RedirectStandardOutput = true });
                if (process is not null && process.WaitForExit(30_000) && process.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under this name.
            }
        }

        return null;
    }
}
