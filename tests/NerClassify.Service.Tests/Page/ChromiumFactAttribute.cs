namespace NerClassify.Service.Tests.Page;

/// <summary>A fact that needs Debian's Chromium (<c>apt-get install chromium</c>; <c>.ci/run</c> installs it); skipped with the reason when it is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>Where Debian's package puts the browser.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
        {
            Skip = $"No Chromium at {ChromiumPath}: install it with 'apt-get install -y chromium' (.ci/run does) to run the browser tests.";
        }
    }
}
