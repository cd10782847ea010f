namespace NerClassify.Hub;

/// <summary><see cref="HubOptions"/> with the environment applied: what one download actually uses.</summary>
internal sealed record HubSettings(string Revision, Uri Endpoint, string? Token, string CacheDirectory, bool Offline, bool CheckForUpdates, int MaxRetries, TimeSpan LockTimeout)
{
    /// <summary>Applies <c>HF_ENDPOINT</c>, <c>HF_TOKEN</c>, <c>HF_HUB_CACHE</c>, <c>HF_HOME</c> and <c>HF_HUB_OFFLINE</c> to the unset options.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="environment">Reads a variable; <see cref="Environment.GetEnvironmentVariable(string)"/> outside tests.</param>
    public static HubSettings Resolve(HubOptions options, Func<string, string?> environment)
    {
        string endpoint = NonEmpty(options.Endpoint) ?? NonEmpty(environment("HF_ENDPOINT")) ?? HubOptions.DefaultEndpoint;
        if (!Uri.TryCreate(endpoint.TrimEnd('/'), UriKind.Absolute, out Uri? endpointUri))
        {
            throw new ArgumentOutOfRangeException(nameof(HubOptions.Endpoint), endpoint, "HF_ENDPOINT must be an absolute http or https URL.");
        }

        string? token = NonEmpty(options.Token) ?? NonEmpty(environment("HF_TOKEN"));
        string cache = NonEmpty(options.CacheDirectory) ?? DefaultCacheDirectory(environment);
        bool offline = options.Offline ?? IsTrue(environment("HF_HUB_OFFLINE"));
        return new HubSettings(options.Revision, endpointUri, token?.Trim(), Path.GetFullPath(ExpandHome(cache)), offline, options.CheckForUpdates, options.MaxRetries, options.LockTimeout);
    }

    /// <summary>The cache <c>huggingface_hub</c> uses: <c>HF_HUB_CACHE</c>, else <c>HF_HOME/hub</c>, else <c>~/.cache/huggingface/hub</c> (<c>XDG_CACHE_HOME</c> replacing <c>~/.cache</c>).</summary>
    public static string DefaultCacheDirectory(Func<string, string?> environment)
    {
        if (NonEmpty(environment("HF_HUB_CACHE")) is { } hubCache)
        {
            return hubCache;
        }

        if (NonEmpty(environment("HF_HOME")) is { } home)
        {
            return Path.Combine(home, "hub");
        }

        string cacheHome = NonEmpty(environment("XDG_CACHE_HOME"))
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cacheHome, "huggingface", "hub");
    }

    /// <summary>Prints the settings without the token.</summary>
    public override string ToString() =>
        $"HubSettings {{ Revision = {Revision}, Endpoint = {Endpoint}, Token = {(Token is null ? "null" : "***")}, CacheDirectory = {CacheDirectory}, Offline = {Offline} }}";

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : string.Empty)
            : path;

    private static bool IsTrue(string? value) =>
        value?.Trim().ToUpperInvariant() is "1" or "TRUE" or "YES" or "ON";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
