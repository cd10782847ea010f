using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace NerClassify.Hub;

/// <summary>
/// Fetches one blob into the cache safely: under a lock, into <c>blobs/{etag}.incomplete</c>,
/// resuming with Range requests after a dropped connection, checking size and (for LFS files)
/// SHA-256, then renaming it into place. A corrupt result is deleted and fetched once more.
/// </summary>
internal sealed class BlobDownloader
{
    private const int BufferSize = 1 << 16;

    private readonly HubHttp _http;
    private readonly HubCache _cache;
    private readonly HubSettings _settings;
    private readonly RepoId _repo;
    private readonly ILogger _logger;

    public BlobDownloader(HubHttp http, HubCache cache, HubSettings settings, RepoId repo, ILogger logger)
    {
        _http = http;
        _cache = cache;
        _settings = settings;
        _repo = repo;
        _logger = logger;
    }

    /// <summary>Makes sure <c>blobs/{etag}</c> holds the verified content of <paramref name="metadata"/>.</summary>
    /// <exception cref="HubException">The download failed after the retries, or was corrupt twice.</exception>
    public async Task DownloadAsync(string fileName, HubFileMetadata metadata, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string etag = metadata.ETag!;
        string blob = _cache.BlobPath(etag);
        if (File.Exists(blob))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        using FileLock held = await FileLock.AcquireAsync(_cache.LockPath(etag), _settings.LockTimeout, _logger, cancellationToken).ConfigureAwait(false);
        if (File.Exists(blob))
        {
            // Another thread or process fetched it while this one waited.
            return;
        }

        string incomplete = _cache.IncompletePath(etag);
        TakeOverInterrupted(fileName, etag, incomplete, metadata.Size);
        HubLog.Downloading(_logger, fileName, _repo.Value, metadata.DownloadUrl.AbsoluteUri, metadata.Size);
        var clock = Stopwatch.StartNew();
        for (int attempt = 1; ; attempt++)
        {
            (long length, string? sha256) = await FetchAsync(fileName, metadata, incomplete, progress, cancellationToken).ConfigureAwait(false);
            string? problem = metadata.Size is { } size && size != length
                ? $"{length} bytes instead of {size}"
                : metadata.IsSha256 && sha256 != etag
                    ? $"SHA-256 {sha256} instead of {etag}"
                    : null;
            if (problem is null)
            {
                File.Move(incomplete, blob, overwrite: true);
                HubLog.Downloaded(_logger, fileName, _repo.Value, length, clock.ElapsedMilliseconds);
                return;
            }

            File.Delete(incomplete);
            if (attempt == 2)
            {
                throw new HubException(
                    HubErrorKind.Corrupt,
                    _repo.Value,
                    $"The download of '{fileName}' of model '{_repo.Value}' from {metadata.DownloadUrl} was corrupt twice ({problem}); it was deleted. Try again later, or check any proxy in between.",
                    metadata.DownloadUrl.AbsoluteUri);
            }

            HubLog.CorruptDownload(_logger, fileName, metadata.DownloadUrl.AbsoluteUri, problem);
        }
    }

    /// <summary>
    /// Reuses or deletes what interrupted downloads by <c>huggingface_hub</c> 1.18 and later left: they write
    /// <c>blobs/{etag}.{8 hex}.incomplete</c>, one per process, and never resume it. This runs under the blob's lock,
    /// which those downloads hold too, so none of them is still running. The longest becomes this client's
    /// <c>{etag}.incomplete</c> (the name Python 0.x also resumes) when it holds more; the others are deleted.
    /// </summary>
    private void TakeOverInterrupted(string fileName, string etag, string incomplete, long? size)
    {
        string folder = Path.GetDirectoryName(incomplete)!;
        long have = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
        FileInfo[] left = Directory.EnumerateFiles(folder, etag + ".*.incomplete")
            .Select(path => new FileInfo(path))
            .Where(file => file.Name.Length == etag.Length + ".12345678.incomplete".Length && file.Name[(etag.Length + 1)..(etag.Length + 9)].All(char.IsAsciiHexDigitLower))
            .OrderByDescending(file => file.Length)
            .ToArray();
        foreach (FileInfo file in left)
        {
            try
            {
                if (file.Length > have && (size is null || file.Length <= size))
                {
                    have = file.Length;
                    File.Move(file.FullName, incomplete, overwrite: true);
                    HubLog.ResumingInterrupted(_logger, fileName, _repo.Value, have, file.FullName);
                }
                else
                {
                    file.Delete();
                    HubLog.DeletedInterrupted(_logger, file.FullName, fileName, _repo.Value);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's file in a shared cache: leave it; the download starts from what this client has.
            }
        }
    }

    /// <summary>Fills the <c>.incomplete</c> file, resuming what an earlier run or a dropped connection left; returns its length and SHA-256 (hex, when the ETag is one).</summary>
    private async Task<(long Length, string? Sha256)> FetchAsync(string fileName, HubFileMetadata metadata, string incomplete, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        Uri url = metadata.DownloadUrl;
        long? total = metadata.Size;
        await using var file = new FileStream(incomplete, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, BufferSize, useAsync: true);
        IncrementalHash? hash = metadata.IsSha256 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        try
        {
            long have = file.Length;
            if (total is { } expected && have > expected)
            {
                have = Restart(file, hash);
            }
            else if (have > 0 && hash is not null)
            {
                // The earlier part counts towards the hash.
                await HashPrefixAsync(file, hash, cancellationToken).ConfigureAwait(false);
            }

            file.Seek(have, SeekOrigin.Begin);
            progress?.Report(new DownloadProgress(_repo.Value, fileName, have, total));
            int failures = 0;
            byte[] buffer = new byte[BufferSize];
            while (total is null || have < total)
            {
                Exception? broke;
                (have, broke) = await TransferAsync(url, file, hash, buffer, have, fileName, total, progress, cancellationToken).ConfigureAwait(false);
                if (broke is null)
                {
                    break;
                }

                if (++failures > _settings.MaxRetries)
                {
                    await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                    throw new HubException(
                        HubErrorKind.Network,
                        _repo.Value,
                        $"The download of '{fileName}' of model '{_repo.Value}' from {url} broke off at byte {have} of {total?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} and did not recover after {_settings.MaxRetries} retries: {broke.Message} The partial file is kept and the next call resumes it.",
                        url.AbsoluteUri,
                        innerException: broke);
                }

                HubLog.Resuming(_logger, url.AbsoluteUri, have, failures, _settings.MaxRetries, broke.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * failures), cancellationToken).ConfigureAwait(false);
            }

            file.Flush(flushToDisk: true);
            return (file.Length, hash is null ? null : Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        finally
        {
            hash?.Dispose();
        }
    }

    /// <summary>One request from byte <paramref name="have"/>; a connection that fails or breaks off is returned, not thrown, so the caller can resume.</summary>
    private async Task<(long Have, Exception? Broke)> TransferAsync(Uri url, FileStream file, IncrementalHash? hash, byte[] buffer, long have, string fileName, long? total, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(url, have, cancellationToken).ConfigureAwait(false);
        }
        catch (HubException e) when (e.Kind == HubErrorKind.Network)
        {
            return (have, e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                return (Restart(file, hash), new IOException($"{url} refused the range from byte {have}."));
            }

            if (response.StatusCode is not HttpStatusCode.OK and not HttpStatusCode.PartialContent)
            {
                throw _http.Error(response, url, _settings.Revision);
            }

            if (have > 0 && (response.StatusCode == HttpStatusCode.OK || response.Content.Headers.ContentRange?.From != have))
            {
                // A 200 to a Range request is the whole file again.
                HubLog.RangeIgnored(_logger, url.AbsoluteUri, have);
                have = Restart(file, hash);
            }

            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            (have, Exception? broke) = await CopyAsync(body, file, hash, buffer, have, fileName, total, progress, cancellationToken).ConfigureAwait(false);
            return broke is null && have < total
                ? (have, new IOException($"{url} ended the body at byte {have} of {total}."))
                : (have, broke);
        }
    }

    /// <summary>Appends the body to the file; a broken connection is returned, not thrown, so the caller can resume.</summary>
    private async Task<(long Have, Exception? Broke)> CopyAsync(Stream body, FileStream file, IncrementalHash? hash, byte[] buffer, long have, string fileName, long? total, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            int read;
            try
            {
                read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return (have, e);
            }

            if (read == 0)
            {
                return (have, null);
            }

            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            hash?.AppendData(buffer, 0, read);
            have += read;
            progress?.Report(new DownloadProgress(_repo.Value, fileName, have, total));
        }
    }

    private static async Task HashPrefixAsync(FileStream file, IncrementalHash hash, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[BufferSize];
        file.Seek(0, SeekOrigin.Begin);
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
    }

    /// <summary>Empties the file and the hash to download from byte zero.</summary>
    private static long Restart(FileStream file, IncrementalHash? hash)
    {
        file.SetLength(0);
        file.Seek(0, SeekOrigin.Begin);
        hash?.GetHashAndReset();
        return 0;
    }
}
