using Microsoft.Extensions.Logging;

namespace NerClassify.Hub;

/// <summary>
/// Fetches the files of one model revision into one snapshot. The first answer from the hub pins
/// the commit; later files are asked for by that commit, so a branch that moves meanwhile cannot mix two commits.
/// </summary>
internal sealed class SnapshotFetcher
{
    private readonly HubHttp _http;
    private readonly BlobDownloader _downloader;
    private readonly HubCache _cache;
    private readonly HubSettings _settings;
    private readonly RepoId _repo;
    private readonly ILogger _logger;

    /// <param name="http">Requests.</param>
    /// <param name="downloader">Fetches blobs.</param>
    /// <param name="cache">The model's cache folder.</param>
    /// <param name="settings">The resolved options.</param>
    /// <param name="repo">The model.</param>
    /// <param name="commit">The commit already known (a hash revision or a cached ref), or null to ask the hub.</param>
    /// <param name="logger">Logs.</param>
    public SnapshotFetcher(HubHttp http, BlobDownloader downloader, HubCache cache, HubSettings settings, RepoId repo, string? commit, ILogger logger)
    {
        _http = http;
        _downloader = downloader;
        _cache = cache;
        _settings = settings;
        _repo = repo;
        _logger = logger;
        Commit = commit;
    }

    /// <summary>The commit the snapshot belongs to, once known.</summary>
    public string? Commit { get; private set; }

    /// <summary>Makes <paramref name="fileName"/> present in the snapshot.</summary>
    /// <returns>Its local path, or null when the model lacks it and it is not <paramref name="required"/>.</returns>
    /// <exception cref="HubException">A required file or the model is missing, or a request failed.</exception>
    public async Task<string?> FetchAsync(string fileName, bool required, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Commit is { } known)
        {
            if (_cache.HasFile(known, fileName))
            {
                HubLog.AlreadyCached(_logger, fileName, _repo.Value, known);
                return _cache.PointerPath(known, fileName);
            }

            if (_cache.IsKnownMissing(known, fileName))
            {
                return required ? throw Missing(fileName, _http.ResolveUrl(known, fileName), fileMissing: true) : null;
            }
        }

        HubFileMetadata metadata = await _http.HeadAsync(Commit ?? _settings.Revision, fileName, cancellationToken).ConfigureAwait(false);
        string? commit = Commit ?? (metadata.Commit is { } sent && HubCache.IsCommitHash(sent) ? sent : null);
        if (commit is not null && Commit is null)
        {
            Commit = commit;
            _cache.WriteRef(_settings.Revision, commit);
        }

        if (!metadata.Exists)
        {
            if (commit is not null)
            {
                _cache.MarkMissing(commit, fileName);
            }

            // EntryNotFound names a missing file even when the hub sent no commit; a bare 404 without one is a missing model.
            return required ? throw Missing(fileName, metadata.Url, fileMissing: commit is not null || metadata.ErrorCode == "EntryNotFound") : null;
        }

        string pointer = _cache.PointerPath(Commit!, fileName);
        if (File.Exists(pointer))
        {
            HubLog.AlreadyCached(_logger, fileName, _repo.Value, Commit!);
            return pointer;
        }

        _cache.TagCacheDirectory();

        await _downloader.DownloadAsync(fileName, metadata, progress, cancellationToken).ConfigureAwait(false);
        _cache.Link(Commit!, fileName, metadata.ETag!);
        return pointer;
    }

    private HubException Missing(string fileName, Uri url, bool fileMissing) =>
        fileMissing
            ? new HubException(HubErrorKind.FileNotFound, _repo.Value, $"Model '{_repo.Value}' (revision '{_settings.Revision}') has no file '{fileName}' ({url} answered HTTP 404).", url.AbsoluteUri, 404)
            : new HubException(HubErrorKind.ModelNotFound, _repo.Value, $"Model '{_repo.Value}' (revision '{_settings.Revision}') was not found on the hub ({url} answered HTTP 404). Check the model id and revision.", url.AbsoluteUri, 404);
}
