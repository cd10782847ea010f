using System.Reflection;
using System.Runtime.InteropServices;

namespace NerClassify.Native;

/// <summary>
/// Makes TorchSharp's native library loadable on Linux systems whose libstdc++ is older than the one
/// it was built against (Debian 12, Ubuntu 22.04 and older).
/// </summary>
/// <remarks>
/// <para>
/// <c>libLibTorchSharp.so</c> 0.107.0 requires the libstdc++ version <c>GLIBCXX_3.4.32</c> (GCC 13) for a
/// single symbol, <c>std::ios_base_library_init</c>, which it never calls. On older systems the dynamic
/// loader refuses the whole library. This class marks that one requirement as weak
/// (<c>VER_FLG_WEAK</c> in <c>.gnu.version_r</c>), so the loader accepts the library and the symbol stays unbound.
/// </para>
/// <para>
/// The edit is made to the copy the application loads (its output folder), written to a temporary file
/// and renamed into place, and is idempotent. A copy inside the NuGet package cache is never edited:
/// a patched copy is written under <see cref="PatchedCopyRoot"/> and handed to the runtime through a
/// DllImport resolver instead. Nothing is done on other platforms or where libstdc++ is new enough.
/// </para>
/// <para>
/// NerClassify runs this automatically when its assembly is first loaded (the one thing it does to a process unasked,
/// and only where TorchSharp could not load otherwise). Call <see cref="EnsureLoadable"/> yourself only when your code
/// touches TorchSharp before any NerClassify type. To turn the automatic run off (for example where the native files
/// must never be edited), set the <see cref="DisableAutomaticFixSwitch"/> switch to true, in the project file
/// (<c>&lt;RuntimeHostConfigurationOption Include="NerClassify.Native.DisableAutomaticFix" Value="true" /&gt;</c>) or with
/// <c>AppContext.SetSwitch</c> before the first NerClassify type is used; <see cref="EnsureLoadable"/> still works when called.
/// </para>
/// </remarks>
public static class TorchSharpNativeCompatibility
{
    private const string NativeLibraryFile = "libLibTorchSharp.so";
    private const string NativeLibraryName = "LibTorchSharp";
    private const string CxxLibrary = "libstdc++.so.6";

    // Symbols that may stay unbound: TorchSharp references them only through GCC 13's iostream
    // start-up hook, which older libstdc++ runs from its own initialiser instead.
    private static readonly HashSet<string> UnusedSymbols = new(StringComparer.Ordinal) { "_ZSt21ios_base_library_initv" };

    /// <summary>
    /// The <see cref="AppContext"/> switch that, set to true, stops NerClassify from running <see cref="EnsureLoadable"/>
    /// when its assembly loads: <c>NerClassify.Native.DisableAutomaticFix</c>.
    /// </summary>
    public const string DisableAutomaticFixSwitch = "NerClassify.Native.DisableAutomaticFix";

    private static readonly Lazy<NativeCompatibilityReport> Report = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The folder that receives patched copies when the loaded library sits in a read-only or shared
    /// location such as the NuGet package cache: <c>$XDG_CACHE_HOME/nerclassify/native</c>, by default
    /// <c>~/.cache/nerclassify/native</c>.
    /// </summary>
    public static string PatchedCopyRoot
    {
        get
        {
            string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(cache))
            {
                cache = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            }

            return System.IO.Path.Combine(cache, "nerclassify", "native");
        }
    }

    /// <summary>
    /// Checks TorchSharp's native library against the system and makes it loadable when only the
    /// known, unused libstdc++ requirement stands in the way. Safe to call many times and from many threads.
    /// </summary>
    /// <exception cref="DllNotFoundException">
    /// A native dependency is missing or too old in a way this class cannot fix; the message names it
    /// and says how to fix it.
    /// </exception>
    public static void EnsureLoadable() => _ = Report.Value;

    /// <summary>Runs <see cref="EnsureLoadable"/> unless the application set <see cref="DisableAutomaticFixSwitch"/> (the library's own calls).</summary>
    internal static void EnsureLoadableUnlessDisabled()
    {
        if (!AutomaticFixDisabled)
        {
            EnsureLoadable();
        }
    }

    /// <summary>Whether the application set <see cref="DisableAutomaticFixSwitch"/>.</summary>
    internal static bool AutomaticFixDisabled => AppContext.TryGetSwitch(DisableAutomaticFixSwitch, out bool disabled) && disabled;

    /// <summary>What <see cref="EnsureLoadable"/> found and did (tests and diagnostics).</summary>
    internal static NativeCompatibilityReport Inspect() => Report.Value;

    /// <summary>Runs <see cref="EnsureLoadable"/> when the NerClassify assembly loads, keeping any error for later.</summary>
    internal static void TryEnsureLoadable()
    {
        try
        {
            _ = Report.Value;
        }
        catch (DllNotFoundException)
        {
            // Lazy<T> caches the exception; EnsureLoadable rethrows it where a caller can see it.
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        catch (InvalidDataException)
        {
            // An ELF file this reader does not understand: leave it to TorchSharp's own loader to report.
        }
    }

    private static NativeCompatibilityReport Apply()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new NativeCompatibilityReport(NativeCompatibilityOutcome.NotApplicable, null, null, []);
        }

        string? library = FindTorchSharpNativeLibrary();
        if (library is null)
        {
            throw new DllNotFoundException(
                $"{NativeLibraryFile} was not found in the application's native search folders. " +
                "Reference a TorchSharp backend package in the application (TorchSharp-cpu for CPU, " +
                "or a libtorch-cuda package for NVIDIA GPUs) and rebuild.");
        }

        CheckNeededLibrariesExist(library);
        string? cxx = LoadedLibraryPaths.Find(CxxLibrary);
        if (cxx is null)
        {
            throw new DllNotFoundException(
                $"{CxxLibrary} (the GNU C++ runtime) was not found; TorchSharp needs it. Install it with your " +
                "package manager (Debian/Ubuntu: 'apt-get install libstdc++6'; Fedora: 'dnf install libstdc++').");
        }

        return LibStdCxxPatcher.MakeLoadable(library, cxx, ElfFile.Read(cxx).DefinedVersions(), UnusedSymbols, ShouldNotEditInPlace(library), PatchedCopyRoot, RegisterResolver);
    }

    private static string? FindTorchSharpNativeLibrary()
    {
        var folders = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
        {
            folders.AddRange(searchDirectories.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        }

        folders.Add(AppContext.BaseDirectory);
        folders.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"));
        folders.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"));
        string? torchSharpFolder = System.IO.Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchSharpFolder))
        {
            folders.Add(torchSharpFolder);
        }

        return folders
            .Select(folder => System.IO.Path.Combine(folder, NativeLibraryFile))
            .FirstOrDefault(File.Exists);
    }

    private static void CheckNeededLibrariesExist(string library)
    {
        string folder = System.IO.Path.GetDirectoryName(library)!;
        string[] torchLibraries = ["libtorch.so", "libtorch_cpu.so", "libc10.so"];
        string[] missing = torchLibraries.Where(name => !File.Exists(System.IO.Path.Combine(folder, name))).ToArray();
        if (missing.Length > 0)
        {
            throw new DllNotFoundException(
                $"{string.Join(", ", missing)} not found in '{folder}', next to {NativeLibraryFile}. " +
                "Reference a LibTorch backend package from the application (TorchSharp-cpu, or libtorch-cpu-linux-x64 " +
                "with TorchSharp) and rebuild so the native files are copied to the output folder.");
        }
    }

    private static bool ShouldNotEditInPlace(string library)
    {
        string full = System.IO.Path.GetFullPath(library);
        string? packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrEmpty(packages) && full.StartsWith(System.IO.Path.GetFullPath(packages), StringComparison.Ordinal))
        {
            return true;
        }

        string separator = System.IO.Path.DirectorySeparatorChar.ToString();
        return full.Contains($"{separator}.nuget{separator}packages{separator}", StringComparison.Ordinal);
    }

    private static void RegisterResolver(string originalFolder, string patchedLibrary)
    {
        Assembly torchSharp = typeof(TorchSharp.torch).Assembly;
        NativeLibrary.SetDllImportResolver(torchSharp, (name, _, _) =>
        {
            if (!string.Equals(name, NativeLibraryName, StringComparison.Ordinal) &&
                !string.Equals(name, NativeLibraryFile, StringComparison.Ordinal))
            {
                return IntPtr.Zero;
            }

            // The copy lives away from its siblings, so load them first by full path: the loader
            // then resolves the copy's DT_NEEDED entries by their sonames.
            foreach (string sibling in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
            {
                NativeLibrary.Load(System.IO.Path.Combine(originalFolder, sibling));
            }

            return NativeLibrary.Load(patchedLibrary);
        });
    }
}
