using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NerClassify.Hub;

/// <summary>
/// The requests the hub client makes: a <c>HEAD</c> of a resolve URL that does not follow the
/// redirect to the CDN (the metadata headers are on the hub's own answer), and a ranged <c>GET</c>
/// that follows redirects by hand so that the token never leaves the hub's host.
/// </summary>
internal sealed partial class HubHttp
{
    private const int MaxRedirects = 10;
    private static readonly ProductInfoHeaderValue UserAgent = new("NerClassify", typeof(HubHttp).Assembly.GetName().Version?.ToString(3) ?? "0");

    private readonly HttpClient _client;
    private readonly HubSettings _settings;
    private readonly RepoId _repo;

    public HubHttp(HttpClient client, HubSettings settings, RepoId repo)
    {
        _client = client;
        _settings = settings;
        _repo = repo;
    }

    /// <summary><c>{endpoint}/{repo}/resolve/{revision}/{file}</c>, each part escaped.</summary>
    public Uri ResolveUrl(string revision, string fileName)
    {
        string file = string.Join('/', fileName.Split('/').Select(Uri.EscapeDataString));
        string baseUrl = _settings.Endpoint.AbsoluteUri.TrimEnd('/');
        return new Uri($"{baseUrl}/{_repo.Value}/resolve/{Uri.EscapeDataString(revision)}/{file}");
    }

    /// <summary>Asks the hub about <paramref name="fileName"/> at <paramref name="revision"/>.</summary>
    /// <exception cref="HubException">The model or revision is unknown, access is refused, the hub is unreachable or its answer lacks the commit or ETag.</exception>
    public async Task<HubFileMetadata> HeadAsync(string revision, string fileName, CancellationToken cancellationToken)
    {
        Uri asked = ResolveUrl(revision, fileName);
        Uri url = asked;
        for (int hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = NewRequest(HttpMethod.Head, url, offset: 0);
            using HttpResponseMessage response = await SendAsync(request, url, cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            Uri downloadUrl = url;
            if (status is >= 300 and < 400)
            {
                Uri? location = response.Headers.Location
                    ?? throw Invalid($"{url} answered HTTP {status} without a Location header.", url, status);
                if (!location.IsAbsoluteUri)
                {
                    // A relative redirect is the hub's own (a renamed repository): ask again there.
                    url = new Uri(url, location);
                    continue;
                }

                // An absolute one goes to the CDN; the metadata is on this answer.
                downloadUrl = location;
            }
            else if (status == 404 && ErrorCode(response) is null or "EntryNotFound")
            {
                return new HubFileMetadata(false, url, Header(response, "X-Repo-Commit"), null, null, url, ErrorCode(response));
            }
            else if (!response.IsSuccessStatusCode)
            {
                throw Error(response, url, revision);
            }

            string? commit = Header(response, "X-Repo-Commit");
            string? etag = NormaliseETag(Header(response, "X-Linked-Etag") ?? Header(response, "ETag"));
            if (commit is null || etag is null)
            {
                bool followed = response.RequestMessage?.RequestUri is { } final && final != url;
                throw Invalid(
                    $"{url} did not send the X-Repo-Commit and ETag headers a Hugging Face hub sends, so the file cannot be cached. " +
                    (followed ? "The HttpClient followed a redirect: give HubClient one whose handler has AllowAutoRedirect = false." : $"Is {_settings.Endpoint} a Hugging Face hub (HF_ENDPOINT)?"),
                    url,
                    status);
            }

            if (!HubCache.IsCommitHash(commit) || !SafeETag().IsMatch(etag))
            {
                throw Invalid($"{url} sent a malformed X-Repo-Commit '{commit}' or ETag '{etag}'.", url, status);
            }

            long? size = LongHeader(response, "X-Linked-Size") ?? (downloadUrl == url ? response.Content.Headers.ContentLength : null);
            return new HubFileMetadata(true, url, commit, etag, size, downloadUrl);
        }

        throw Invalid($"{asked} redirected more than {MaxRedirects} times.", asked, null);
    }

    /// <summary>
    /// Sends a <c>GET</c> for the content at <paramref name="url"/>, from byte <paramref name="offset"/>
    /// (a Range request when above zero), following redirects. The caller disposes the answer and checks its status.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(Uri url, long offset, CancellationToken cancellationToken)
    {
        for (int hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = NewRequest(HttpMethod.Get, url, offset);
            HttpResponseMessage response = await SendAsync(request, url, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                response.Dispose();
                url = location.IsAbsoluteUri ? location : new Uri(url, location);
                continue;
            }

            return response;
        }

        throw Invalid($"{url} redirected more than {MaxRedirects} times.", url, null);
    }

    /// <summary>The exception for an unsuccessful answer: names the model, revision and URL, and says what to do.</summary>
    public HubException Error(HttpResponseMessage response, Uri url, string revision)
    {
        int status = (int)response.StatusCode;
        string? code = ErrorCode(response);
        string detail = Header(response, "X-Error-Message") is { } message ? $" The hub said: {message}" : string.Empty;
        string tokenHint = _settings.Token is null
            ? "pass a token with access (HubOptions.Token), set the HF_TOKEN environment variable, or log in with 'hf auth login'"
            : $"the token sent (from {_settings.TokenSource}) was refused or lacks access to it; check it";
        string model = $"'{_repo.Value}'";
        return (status, code) switch
        {
            (_, "RevisionNotFound") => new HubException(HubErrorKind.RevisionNotFound, _repo.Value, $"Model {model} has no revision '{revision}' ({url} answered HTTP {status}). Check the branch, tag or commit.{detail}", url.AbsoluteUri, status),
            (_, "GatedRepo") => new HubException(HubErrorKind.Unauthorized, _repo.Value, $"Model {model} is gated ({url} answered HTTP {status}): accept its conditions at {_settings.Endpoint.AbsoluteUri.TrimEnd('/')}/{_repo.Value}, then {tokenHint}.{detail}", url.AbsoluteUri, status),
            (_, "RepoNotFound") or (404, _) => new HubException(HubErrorKind.ModelNotFound, _repo.Value, $"Model {model} was not found on the hub ({url} answered HTTP {status}). Check the model id; if the model is private or gated, {tokenHint}.{detail}", url.AbsoluteUri, status),
            (401 or 403, _) => new HubException(HubErrorKind.Unauthorized, _repo.Value, $"Access to model {model} was refused ({url} answered HTTP {status}): it is private or gated, so {tokenHint}.{detail}", url.AbsoluteUri, status),
            ( >= 500 or 429, _) => new HubException(HubErrorKind.Network, _repo.Value, $"The hub failed to serve model {model} ({url} answered HTTP {status}); try again later.{detail}", url.AbsoluteUri, status),
            _ => new HubException(HubErrorKind.InvalidResponse, _repo.Value, $"Unexpected answer HTTP {status} from {url} for model {model}.{detail}", url.AbsoluteUri, status),
        };
    }

    /// <summary>
    /// Lists every file of <paramref name="commit"/> with the tree API (<c>{endpoint}/api/models/{repo}/tree/{commit}?recursive=true</c>),
    /// following the <c>Link: &lt;…&gt;; rel="next"</c> pages as <c>huggingface_hub</c> does. Folders are left out.
    /// </summary>
    /// <exception cref="HubException">A request failed or the answer is not a tree listing.</exception>
    public async Task<List<RepoTreeEntry>> ListTreeAsync(string commit, CancellationToken cancellationToken)
    {
        var entries = new List<RepoTreeEntry>();
        Uri? url = new($"{_settings.Endpoint.AbsoluteUri.TrimEnd('/')}/api/models/{_repo.Value}/tree/{Uri.EscapeDataString(commit)}?recursive=true");
        int redirects = 0;
        while (url is not null)
        {
            using var request = NewRequest(HttpMethod.Get, url, offset: 0);
            using HttpResponseMessage response = await SendAsync(request, url, cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                url = TreeRedirect(response, url, ++redirects);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw Error(response, url, commit);
            }

            try
            {
                using JsonDocument document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (document.RootElement.ValueKind != JsonValueKind.Array)
                {
                    throw Invalid($"{url} did not answer a JSON array of tree entries.", url, (int)response.StatusCode);
                }

                foreach (JsonElement item in document.RootElement.EnumerateArray())
                {
                    if (item.GetProperty("type").GetString() == "file")
                    {
                        entries.Add(TreeEntry(item));
                    }
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw Invalid($"{url} answered a tree listing this client cannot read: {e.Message}", url, (int)response.StatusCode);
            }

            url = NextPage(response, url);
        }

        return entries;
    }

    /// <summary>
    /// Where a redirected tree listing continues: a renamed repository answers 307 with a relative <c>Location</c> (the
    /// new name), which <c>huggingface_hub</c> follows. Only the hub's own host is followed, so the token stays there.
    /// </summary>
    private Uri TreeRedirect(HttpResponseMessage response, Uri url, int redirects)
    {
        int status = (int)response.StatusCode;
        Uri location = response.Headers.Location ?? throw Invalid($"{url} answered HTTP {status} without a Location header.", url, status);
        Uri target = location.IsAbsoluteUri ? location : new Uri(url, location);
        if (Uri.Compare(target, url, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw Invalid($"{url} redirected the tree listing to another host ({target.GetLeftPart(UriPartial.Authority)}), which this client does not follow.", url, status);
        }

        return redirects <= MaxRedirects ? target : throw Invalid($"{url} redirected more than {MaxRedirects} times.", url, status);
    }

    /// <summary>The exception for an answer this client cannot use.</summary>
    public HubException Invalid(string message, Uri url, int? status) =>
        new(HubErrorKind.InvalidResponse, _repo.Value, message, url.AbsoluteUri, status);

    private HttpRequestMessage NewRequest(HttpMethod method, Uri url, long offset)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.UserAgent.Add(UserAgent);

        // The ETag, size and hash refer to the bytes as stored: no compression.
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
        }

        // The token is for the hub only, never for the CDN it redirects to.
        if (_settings.Token is { } token && string.Equals(url.Authority, _settings.Endpoint.Authority, StringComparison.OrdinalIgnoreCase) && url.Scheme == _settings.Endpoint.Scheme)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Uri url, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        try
        {
            return await _client.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new HubException(HubErrorKind.Network, _repo.Value, $"Could not reach {url} for model '{_repo.Value}': {e.Message}", url.AbsoluteUri, null, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HubException(HubErrorKind.Network, _repo.Value, $"The request to {url} for model '{_repo.Value}' timed out after {_client.Timeout.TotalSeconds:0} s.", url.AbsoluteUri, null, e);
        }
    }

    private static string? ErrorCode(HttpResponseMessage response) => Header(response, "X-Error-Code");

    private static RepoTreeEntry TreeEntry(JsonElement item)
    {
        string path = item.GetProperty("path").GetString() ?? throw new FormatException("an entry has a null path");
        string oid = item.GetProperty("oid").GetString() ?? throw new FormatException($"'{path}' has a null oid");
        long size = item.GetProperty("size").GetInt64();
        string? sha256 = null;
        long? lfsSize = null;
        if (item.TryGetProperty("lfs", out JsonElement lfs) && lfs.ValueKind == JsonValueKind.Object)
        {
            sha256 = lfs.GetProperty("oid").GetString();
            lfsSize = lfs.GetProperty("size").GetInt64();
        }

        // Python drops a whole listing that holds a malformed Xet hash; leaving the hash out keeps the rest.
        string? xetHash = item.TryGetProperty("xetHash", out JsonElement xet) && xet.ValueKind == JsonValueKind.String && XetHash().IsMatch(xet.GetString()!)
            ? xet.GetString()
            : null;
        return new RepoTreeEntry(path, size, oid, sha256, lfsSize, xetHash);
    }

    /// <summary>The <c>rel="next"</c> target of the <c>Link</c> header, or null on the last page.</summary>
    private static Uri? NextPage(HttpResponseMessage response, Uri url)
    {
        if (!response.Headers.TryGetValues("Link", out IEnumerable<string>? links))
        {
            return null;
        }

        foreach (string link in links)
        {
            Match next = NextLink().Match(link);
            if (next.Success)
            {
                return new Uri(url, next.Groups["url"].Value);
            }
        }

        return null;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        (response.Headers.TryGetValues(name, out IEnumerable<string>? values) || response.Content.Headers.TryGetValues(name, out values))
            && values.FirstOrDefault() is { Length: > 0 } value
            ? value.Trim()
            : null;

    private static long? LongHeader(HttpResponseMessage response, string name) =>
        long.TryParse(Header(response, name), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value) ? value : null;

    /// <summary>Drops the weak prefix and the quotes: <c>W/"abc"</c> becomes <c>abc</c>.</summary>
    private static string? NormaliseETag(string? etag)
    {
        if (etag is null)
        {
            return null;
        }

        if (etag.StartsWith("W/", StringComparison.Ordinal))
        {
            etag = etag[2..];
        }

        etag = etag.Trim('"');
        return etag.Length == 0 ? null : etag;
    }

    [GeneratedRegex("^[A-Za-z0-9_+=-][A-Za-z0-9_.+=-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeETag();

    [GeneratedRegex("^[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex XetHash();

    [GeneratedRegex("""<(?<url>[^>]*)>\s*;[^,]*\brel\s*=\s*"?next"?""", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NextLink();
}
