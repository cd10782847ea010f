using System.Runtime.InteropServices;

namespace NerClassify.Cli.Tests;

/// <summary>A fact skipped on platforms the tool is not packed for (its csproj's ToolPackageRuntimeIdentifiers).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PackedPlatformFactAttribute : FactAttribute
{
    private static readonly string[] PackedPlatforms = ["linux-x64", "win-x64", "osx-arm64"];

    public PackedPlatformFactAttribute()
    {
        if (!PackedPlatforms.Contains(RuntimeInformation.RuntimeIdentifier))
        {
            Skip = $"The tool is packed for {string.Join(", ", PackedPlatforms)}, not {RuntimeInformation.RuntimeIdentifier}.";
        }
    }
}
