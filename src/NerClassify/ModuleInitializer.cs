using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using NerClassify.Native;

namespace NerClassify;

/// <summary>Work done once, when the NerClassify assembly is first loaded.</summary>
internal static class ModuleInitializer
{
    /// <summary>Makes TorchSharp's native library loadable before any TorchSharp call can reach it.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The native fix must run before TorchSharp's first call, whichever NerClassify type the application touches first.")]
    internal static void Initialize() => TorchSharpNativeCompatibility.TryEnsureLoadable();
}
