using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using NerClassify.Native;

namespace NerClassify;

/// <summary>Work done once, when the NerClassify assembly is first loaded.</summary>
internal static class ModuleInitializer
{
    /// <summary>
    /// Makes TorchSharp's native library loadable before any TorchSharp call can reach it
    /// (<see cref="TorchSharpNativeCompatibility"/>), unless the application turned that off with the
    /// <see cref="TorchSharpNativeCompatibility.DisableAutomaticFixSwitch"/> switch.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The native fix must come before TorchSharp's first call, whichever NerClassify type the application touches first.")]
    internal static void Initialize()
    {
        if (!TorchSharpNativeCompatibility.AutomaticFixDisabled)
        {
            TorchSharpNativeCompatibility.TryEnsureLoadable();
        }
    }
}
