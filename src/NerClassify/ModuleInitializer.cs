using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using NerClassify.Native;

namespace NerClassify;

/// <summary>Work done once, when the NerClassify assembly is first loaded.</summary>
internal static class ModuleInitializer
{
    /// <summary>
    /// Makes TorchSharp's native library loadable before any TorchSharp call can reach it, and caps glibc's malloc
    /// arenas before LibTorch's threads start allocating (<see cref="Encoders.Bert.NativeHeapSettings"/>).
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The native fix and the arena cap must come before TorchSharp's first call, whichever NerClassify type the application touches first.")]
    internal static void Initialize()
    {
        Encoders.Bert.NativeHeapSettings.LimitArenasOnce();
        TorchSharpNativeCompatibility.TryEnsureLoadable();
    }
}
