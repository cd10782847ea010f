namespace NerClassify.Tests.TestSupport;

/// <summary>A fact that is skipped when the shared data folder (<c>../shared/data</c>) is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresDataFactAttribute : FactAttribute
{
    public RequiresDataFactAttribute()
    {
        if (TestPaths.DataDirectory is null)
        {
            Skip = "The shared data folder ../shared/data is not present.";
        }
    }
}
