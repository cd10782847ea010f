namespace NerClassify.Native;

/// <summary>The result of <see cref="TorchSharpNativeCompatibility.EnsureLoadable"/>.</summary>
/// <param name="Outcome">What was done.</param>
/// <param name="TorchSharpLibrary">The <c>libLibTorchSharp.so</c> the runtime will load, or null when not on Linux.</param>
/// <param name="CxxLibrary">The libstdc++ the process uses, or null when not on Linux.</param>
/// <param name="WeakenedVersions">The version requirements marked weak (empty when none was needed).</param>
internal sealed record NativeCompatibilityReport(
    NativeCompatibilityOutcome Outcome,
    string? TorchSharpLibrary,
    string? CxxLibrary,
    IReadOnlyList<string> WeakenedVersions);
