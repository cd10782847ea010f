namespace NerClassify.Tests.TestSupport;

/// <summary>A fact that runs only when the environment variable <c>NERCLASSIFY_PERF</c> is <c>1</c> (throughput measurements, not part of the default suite).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PerfFactAttribute : FactAttribute
{
    public PerfFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("NERCLASSIFY_PERF") != "1")
        {
            Skip = "Set NERCLASSIFY_PERF=1 to run throughput measurements.";
        }
    }
}
