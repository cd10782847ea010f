namespace NerClassify.Hub;

/// <summary>Where and how <see cref="HubClient"/> fetches models. Unset values fall back to the environment variables <c>huggingface_hub</c> reads.</summary>
public sealed record HubOptions
{
    /// <summary>The default hub.</summary>
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>The branch, tag or 40-hex commit hash to fetch. Default <c>main</c>.</summary>
    public string Revision { get; init; } = "main";

    /// <summary>The hub's base URL. Default: the <c>HF_ENDPOINT</c> variable, else <see cref="DefaultEndpoint"/>.</summary>
    public string? Endpoint { get; init; }

    /// <summary>
    /// An access token sent as <c>Authorization: Bearer</c>, needed for gated and private models. Default, in
    /// <c>huggingface_hub</c>'s order: the <c>HF_TOKEN</c> variable, else <c>HUGGING_FACE_HUB_TOKEN</c>, else the file
    /// <c>hf auth login</c> writes (<c>HF_TOKEN_PATH</c>, else <c>$HF_HOME/token</c>, else <c>~/.cache/huggingface/token</c>),
    /// else none. <c>HF_HUB_DISABLE_IMPLICIT_TOKEN=1</c> turns the defaults off. The token never appears in logs or messages.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>
    /// The cache folder, laid out like <c>huggingface_hub</c>'s so that both share downloads.
    /// Default: <c>HF_HUB_CACHE</c>, else the older <c>HUGGINGFACE_HUB_CACHE</c>, else <c>HF_HOME/hub</c>, else
    /// <c>~/.cache/huggingface/hub</c>; <c>~</c>, <c>$VAR</c> and <c>${VAR}</c> in these variables are expanded as Python does.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// Use the cache only and make no network call. Default: true when <c>HF_HUB_OFFLINE</c> (or, when that is
    /// unset, the older <c>TRANSFORMERS_OFFLINE</c>) is <c>1</c>, <c>true</c>, <c>yes</c> or <c>on</c>, else false.
    /// Online, a network failure falls back to the cached snapshot of <see cref="Revision"/> when it holds what loading needs.
    /// </summary>
    public bool? Offline { get; init; }

    /// <summary>
    /// Ask the hub which commit <see cref="Revision"/> names now even when the cache already holds
    /// every file of the commit it named before. Default false: a complete cached revision is used
    /// without any request (a commit hash never changes, so it is never checked).
    /// </summary>
    public bool CheckForUpdates { get; init; }

    /// <summary>How many times a download that broke off is resumed (HTTP Range) before failing. Default 3.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>How long to wait for another process that is downloading the same file. Default 30 minutes; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Checks the values.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names the property.</exception>
    public HubOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(Revision) || Revision.Contains("..", StringComparison.Ordinal) || Revision.StartsWith('/') || Revision.Contains('\\'))
        {
            throw new ArgumentOutOfRangeException(nameof(Revision), Revision, "Revision must be a branch, tag or commit hash without '..', '\\' or a leading '/'.");
        }

        if (Endpoint is not null && (!Uri.TryCreate(Endpoint, UriKind.Absolute, out Uri? endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentOutOfRangeException(nameof(Endpoint), Endpoint, "Endpoint must be an absolute http or https URL.");
        }

        if (CacheDirectory is not null && CacheDirectory.Trim().Length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CacheDirectory), CacheDirectory, "CacheDirectory must be null (the default) or a path.");
        }

        if (MaxRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "MaxRetries must be zero or more.");
        }

        if (LockTimeout <= TimeSpan.Zero && LockTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(LockTimeout), LockTimeout, "LockTimeout must be positive or Timeout.InfiniteTimeSpan.");
        }

        return this;
    }

    // Records print every property; the token must not reach logs.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Revision = {Revision}, Endpoint = {Endpoint}, Token = {(Token is null ? "null" : "***")}, CacheDirectory = {CacheDirectory}, ");
        builder.Append($"Offline = {Offline}, CheckForUpdates = {CheckForUpdates}, MaxRetries = {MaxRetries}, LockTimeout = {LockTimeout}");
        return true;
    }
}
