using System.Text.RegularExpressions;

namespace NerClassify.Hub;

/// <summary>
/// <see cref="HubOptions"/> with the environment applied: what one download actually uses. <c>TokenSource</c> says where
/// the token came from (the option, a variable or the token file's path), for messages; it never holds the token itself.
/// </summary>
internal sealed partial record HubSettings(string Revision, Uri Endpoint, string? Token, string? TokenSource, string CacheDirectory, bool Offline, bool CheckForUpdates, int MaxRetries, TimeSpan LockTimeout)
{
    /// <summary>
    /// Applies the variables <c>huggingface_hub</c> reads to the unset options: <c>HF_ENDPOINT</c>; the token
    /// (<see cref="ResolveToken"/>); the cache (<see cref="DefaultCacheDirectory"/>); offline mode from
    /// <c>HF_HUB_OFFLINE</c>, else <c>TRANSFORMERS_OFFLINE</c>.
    /// </summary>
    /// <param name="options">Validated options.</param>
    /// <param name="environment">Reads a variable; <see cref="Environment.GetEnvironmentVariable(string)"/> outside tests.</param>
    public static HubSettings Resolve(HubOptions options, Func<string, string?> environment)
    {
        string endpoint = NonEmpty(options.Endpoint) ?? NonEmpty(environment("HF_ENDPOINT")) ?? HubOptions.DefaultEndpoint;
        if (!Uri.TryCreate(endpoint.TrimEnd('/'), UriKind.Absolute, out Uri? endpointUri))
        {
            throw new ArgumentOutOfRangeException(nameof(HubOptions.Endpoint), endpoint, "HF_ENDPOINT must be an absolute http or https URL.");
        }

        (string? token, string? tokenSource) = ResolveToken(options, environment);
        string cache = NonEmpty(options.CacheDirectory) is { } option ? ExpandHome(option, environment) : DefaultCacheDirectory(environment);

        // As huggingface_hub: HF_HUB_OFFLINE when set (even to "0"), else the older TRANSFORMERS_OFFLINE.
        bool offline = options.Offline ?? IsTrue(environment("HF_HUB_OFFLINE") is { Length: > 0 } hubOffline ? hubOffline : environment("TRANSFORMERS_OFFLINE"));
        return new HubSettings(options.Revision, endpointUri, token, tokenSource, Path.GetFullPath(cache), offline, options.CheckForUpdates, options.MaxRetries, options.LockTimeout);
    }

    /// <summary>
    /// The token in <c>huggingface_hub</c>'s order: <see cref="HubOptions.Token"/>; then, unless
    /// <c>HF_HUB_DISABLE_IMPLICIT_TOKEN</c> is true, <c>HF_TOKEN</c>, else the older <c>HUGGING_FACE_HUB_TOKEN</c>,
    /// else the file <c>hf auth login</c> writes (<see cref="TokenPath"/>). Line breaks and surrounding blanks are removed; empty means none.
    /// </summary>
    /// <returns>The token and where it came from, or two nulls.</returns>
    /// <exception cref="IOException">The token file exists but cannot be read; the message names it.</exception>
    public static (string? Token, string? Source) ResolveToken(HubOptions options, Func<string, string?> environment)
    {
        if (CleanToken(options.Token) is { } explicitToken)
        {
            return (explicitToken, $"{nameof(HubOptions)}.{nameof(HubOptions.Token)}");
        }

        if (IsTrue(environment("HF_HUB_DISABLE_IMPLICIT_TOKEN")))
        {
            return (null, null);
        }

        // Python takes the first variable that is set, then cleans it: a blank HF_TOKEN hides HUGGING_FACE_HUB_TOKEN.
        string variable = environment("HF_TOKEN") is { Length: > 0 } ? "HF_TOKEN" : "HUGGING_FACE_HUB_TOKEN";
        if (CleanToken(environment(variable)) is { } environmentToken)
        {
            return (environmentToken, variable);
        }

        string path = TokenPath(environment);
        try
        {
            return CleanToken(File.ReadAllText(path)) is { } fileToken ? (fileToken, $"the token file '{path}'") : (null, null);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return (null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The Hugging Face token file '{path}' (HF_TOKEN_PATH, else HF_HOME/token) exists but cannot be read: {e.Message} Fix its permissions, or set HF_TOKEN.", e);
        }
    }

    /// <summary>The token file <c>hf auth login</c> writes: <c>HF_TOKEN_PATH</c>, else <see cref="HuggingFaceHome"/><c>/token</c>; <c>~</c> and variables expanded.</summary>
    public static string TokenPath(Func<string, string?> environment) =>
        NonEmpty(environment("HF_TOKEN_PATH")) is { } path ? Expand(path, environment) : Path.Combine(HuggingFaceHome(environment), "token");

    /// <summary><c>HF_HOME</c>, else <c>XDG_CACHE_HOME/huggingface</c>, else <c>~/.cache/huggingface</c>; <c>~</c> and variables expanded.</summary>
    public static string HuggingFaceHome(Func<string, string?> environment) =>
        Expand(
            NonEmpty(environment("HF_HOME"))
                ?? Path.Combine(NonEmpty(environment("XDG_CACHE_HOME")) ?? Path.Combine(UserHome(environment), ".cache"), "huggingface"),
            environment);

    /// <summary>
    /// The cache <c>huggingface_hub</c> uses: <c>HF_HUB_CACHE</c>, else the older <c>HUGGINGFACE_HUB_CACHE</c>,
    /// else <see cref="HuggingFaceHome"/><c>/hub</c>. As in Python, <c>~</c> and then <c>$VAR</c> / <c>${VAR}</c> are expanded.
    /// </summary>
    public static string DefaultCacheDirectory(Func<string, string?> environment) =>
        (NonEmpty(environment("HF_HUB_CACHE")) ?? NonEmpty(environment("HUGGINGFACE_HUB_CACHE"))) is { } cache
            ? Expand(cache, environment)
            : Path.Combine(HuggingFaceHome(environment), "hub");

    /// <summary>
    /// Python's <c>os.path.expandvars(os.path.expanduser(path))</c>: a leading <c>~</c> becomes the home folder, then
    /// <c>$NAME</c> and <c>${NAME}</c> (and <c>%NAME%</c> on Windows) become the variable's value; unknown variables stay as written.
    /// </summary>
    public static string Expand(string path, Func<string, string?> environment)
    {
        string expanded = ExpandHome(path, environment);
        if (!expanded.Contains('$', StringComparison.Ordinal) && !(OperatingSystem.IsWindows() && expanded.Contains('%', StringComparison.Ordinal)))
        {
            return expanded;
        }

        return (OperatingSystem.IsWindows() ? WindowsVariable() : Variable()).Replace(expanded, match =>
        {
            string name = match.Groups["braced"].Success ? match.Groups["braced"].Value
                : match.Groups["percent"].Success ? match.Groups["percent"].Value
                : match.Groups["name"].Value;
            return environment(name) ?? match.Value;
        });
    }

    /// <summary>Prints the settings without the token.</summary>
    public override string ToString() =>
        $"HubSettings {{ Revision = {Revision}, Endpoint = {Endpoint}, Token = {(Token is null ? "null" : $"*** from {TokenSource}")}, CacheDirectory = {CacheDirectory}, Offline = {Offline} }}";

    private static string ExpandHome(string path, Func<string, string?> environment) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || (OperatingSystem.IsWindows() && path.StartsWith("~\\", StringComparison.Ordinal))
            ? Path.Combine(UserHome(environment), path.Length > 2 ? path[2..] : string.Empty)
            : path;

    /// <summary>The home folder as Python finds it: <c>HOME</c> (<c>USERPROFILE</c> on Windows), else the OS's answer.</summary>
    private static string UserHome(Func<string, string?> environment) =>
        NonEmpty(environment(OperatingSystem.IsWindows() ? "USERPROFILE" : "HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>Python's <c>_clean_token</c>: line breaks removed, blanks trimmed, empty is none.</summary>
    private static string? CleanToken(string? token) =>
        token?.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim() is { Length: > 0 } clean ? clean : null;

    private static bool IsTrue(string? value) =>
        value?.Trim().ToUpperInvariant() is "1" or "TRUE" or "YES" or "ON";

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    // posixpath.expandvars: $name or ${anything but a brace}.
    [GeneratedRegex(@"\$(?:(?<name>[A-Za-z0-9_]+)|\{(?<braced>[^}]*)\})", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();

    // ntpath.expandvars also reads %name%.
    [GeneratedRegex(@"\$(?:(?<name>[A-Za-z0-9_]+)|\{(?<braced>[^}]*)\})|%(?<percent>[^%]+)%", RegexOptions.CultureInvariant)]
    private static partial Regex WindowsVariable();
}
