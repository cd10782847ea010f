namespace NerClassify.Native;

/// <summary>What <see cref="TorchSharpNativeCompatibility.EnsureLoadable"/> found and did.</summary>
internal enum NativeCompatibilityOutcome
{
    /// <summary>Not Linux: nothing to check.</summary>
    NotApplicable,

    /// <summary>The system's libstdc++ has every version TorchSharp asks for; the library was left as it was.</summary>
    NotNeeded,

    /// <summary>The library had already been made loadable by an earlier run.</summary>
    AlreadyPatched,

    /// <summary>The library in the application's folder was patched in place.</summary>
    PatchedInPlace,

    /// <summary>A patched copy was written outside the package cache and handed to the runtime.</summary>
    PatchedCopy,
}
