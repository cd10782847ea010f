using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NerClassify.Hub;

/// <summary>
/// Downloads pretrained models from the Hugging Face hub by name into a cache shared with Python's
/// <c>huggingface_hub</c>, verifying each file and resuming broken downloads. Offline mode reads the cache only;
/// online, a hub that cannot be reached falls back to the cached snapshot, as <c>huggingface_hub</c> does.
/// </summary>
/// <remarks>
/// Files come from <c>{endpoint}/{model}/resolve/{revision}/{file}</c>. A <c>HEAD</c> that does not
/// follow redirects reads the commit (<c>X-Repo-Commit</c>), the ETag (<c>X-Linked-Etag</c>, the
/// SHA-256 of an LFS file) and the size; the content then comes from the redirect target.
/// One instance may serve many concurrent calls.
/// </remarks>
public sealed class HubClient : IDisposable
{
    /// <summary>The model configuration file.</summary>
    public const string ConfigFile = IO.ModelFiles.Config;

    /// <summary>The WordPiece vocabulary.</summary>
    public const string VocabFile = IO.ModelFiles.Vocabulary;

    /// <summary>XLM-RoBERTa's SentencePiece model, fetched when the model has no <see cref="VocabFile"/>.</summary>
    public const string SentencePieceFile = IO.ModelFiles.SentencePieceModel;

    /// <summary>RoBERTa's byte-level BPE vocabulary, fetched with <see cref="MergesFile"/> when the model has neither <see cref="VocabFile"/> nor <see cref="SentencePieceFile"/>.</summary>
    public const string VocabularyJsonFile = IO.ModelFiles.VocabularyJson;

    /// <summary>RoBERTa's byte-level BPE merges.</summary>
    public const string MergesFile = IO.ModelFiles.Merges;

    /// <summary>The tokenizer settings (casing, special tokens); optional.</summary>
    public const string TokenizerConfigFile = IO.ModelFiles.TokenizerConfig;

    /// <summary>The preferred weights file.</summary>
    public const string SafetensorsFile = IO.ModelFiles.Safetensors;

    /// <summary>The legacy weights file, fetched when the model has no <see cref="SafetensorsFile"/>.</summary>
    public const string PyTorchFile = IO.ModelFiles.PyTorchWeights;

    private readonly HttpClient _client;
    private readonly bool _ownsClient;
    private readonly ILogger<HubClient> _logger;
    private readonly Func<string, string?> _environment;

    /// <summary>Creates a client.</summary>
    /// <param name="httpClient">
    /// The client for all requests; default one of its own. Its handler must not follow redirects
    /// (<see cref="SocketsHttpHandler.AllowAutoRedirect"/> = false), because the hub's metadata headers
    /// are on the redirect itself. The caller keeps ownership of a client it passes.
    /// </param>
    /// <param name="logger">Default <see cref="NullLogger{T}"/>.</param>
    public HubClient(HttpClient? httpClient = null, ILogger<HubClient>? logger = null)
        : this(httpClient, logger, Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>Creates a client that reads settings from <paramref name="environment"/> instead of the process environment (for tests).</summary>
    internal HubClient(HttpClient? httpClient, ILogger<HubClient>? logger, Func<string, string?> environment)
    {
        _ownsClient = httpClient is null;
        _client = httpClient ?? CreateHttpClient();
        _logger = logger ?? NullLogger<HubClient>.Instance;
        _environment = environment;
    }

    /// <summary>
    /// Makes the files a BERT-family model directory needs available locally: <c>config.json</c>, the tokenizer
    /// (<c>vocab.txt</c>, else <c>sentencepiece.bpe.model</c>, else <c>vocab.json</c> and <c>merges.txt</c>),
    /// <c>model.safetensors</c> (or <c>pytorch_model.bin</c> when the model has no safetensors file) and,
    /// when the model has it, <c>tokenizer_config.json</c>.
    /// </summary>
    /// <param name="modelId">A hub model id: <c>bert-base-cased</c> or <c>dslim/bert-base-NER</c>.</param>
    /// <param name="options">Revision, endpoint, token, cache, offline mode. Default <see cref="HubOptions"/> with the environment applied.</param>
    /// <param name="progress">Reports bytes fetched per file.</param>
    /// <param name="cancellationToken">Stops the download; a partial file is kept and resumed by the next call.</param>
    /// <returns>The snapshot folder that holds the files, ready for <c>PretrainedEncoder.Load</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="HubException">The model, revision or a required file is missing, access is refused, the network failed and the cache holds no usable snapshot, a download was corrupt twice, or (offline) the cache lacks a file. <see cref="HubException.Kind"/> says which.</exception>
    /// <exception cref="TimeoutException">Another process held the download lock longer than <see cref="HubOptions.LockTimeout"/>.</exception>
    public Task<string> DownloadModelAsync(string modelId, HubOptions? options = null, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        RepoId repo = RepoId.Parse(modelId);
        HubSettings settings = HubSettings.Resolve((options ?? new HubOptions()).Validate(), _environment);
        var cache = new HubCache(settings.CacheDirectory, repo);
        if (!settings.Offline)
        {
            return DownloadModelCoreAsync(repo, settings, cache, progress, cancellationToken);
        }

        try
        {
            return Task.FromResult(FindOffline(repo, settings, cache));
        }
        catch (HubException e)
        {
            return Task.FromException<string>(e);
        }
    }

    /// <summary>Makes one file of a model available locally, from the cache when it holds it.</summary>
    /// <param name="modelId">A hub model id.</param>
    /// <param name="fileName">The path of the file in the repository, with <c>/</c> between folders.</param>
    /// <param name="options">As for <see cref="DownloadModelAsync"/>.</param>
    /// <param name="progress">Reports bytes fetched.</param>
    /// <param name="cancellationToken">Stops the download.</param>
    /// <returns>The path of the file in the snapshot folder.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> or <paramref name="fileName"/> is malformed.</exception>
    /// <exception cref="HubException">As for <see cref="DownloadModelAsync"/>; <see cref="HubErrorKind.FileNotFound"/> when the model lacks the file.</exception>
    public Task<string> DownloadFileAsync(string modelId, string fileName, HubOptions? options = null, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        RepoId repo = RepoId.Parse(modelId);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        if (fileName.StartsWith('/') || fileName.Contains('\\') || fileName.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new ArgumentException($"'{fileName}' is not a repository file path: use '/' between folder names, without '.', '..' or a leading '/'.", nameof(fileName));
        }

        HubSettings settings = HubSettings.Resolve((options ?? new HubOptions()).Validate(), _environment);
        var cache = new HubCache(settings.CacheDirectory, repo);
        if (!settings.Offline)
        {
            return DownloadFileCoreAsync(repo, fileName, settings, cache, progress, cancellationToken);
        }

        try
        {
            string commit = OfflineCommit(repo, settings, cache);
            return cache.HasFile(commit, fileName)
                ? Task.FromResult(cache.PointerPath(commit, fileName))
                : throw NotCached(repo, settings, fileName, cache.SnapshotDirectory(commit));
        }
        catch (HubException e)
        {
            return Task.FromException<string>(e);
        }
    }

    /// <summary>Disposes the HTTP client if this instance created it.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private async Task<string> DownloadModelCoreAsync(RepoId repo, HubSettings settings, HubCache cache, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        // What the cache named before this call: the fallback when the hub cannot be reached.
        string? cachedCommit = CachedCommit(settings, cache);
        string? commit = KnownCommit(settings, cache);
        if (commit is not null && IsComplete(cache, commit))
        {
            string directory = cache.SnapshotDirectory(commit);
            HubLog.CacheHit(_logger, repo.Value, settings.Revision, directory);
            return directory;
        }

        var http = new HubHttp(_client, settings, repo);
        var downloader = new BlobDownloader(http, cache, settings, repo, _logger);
        var fetcher = new SnapshotFetcher(http, downloader, cache, settings, repo, commit, _logger);
        try
        {
            await FetchModelFilesAsync(repo, settings, http, fetcher, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (HubException e) when (e.Kind == HubErrorKind.Network)
        {
            // As huggingface_hub: an unreachable hub is no reason to fail when the cache already holds the model.
            string? usable = new[] { fetcher.Commit, cachedCommit }.FirstOrDefault(c => c is not null && MissingForLoading(cache, c) is null);
            if (usable is null)
            {
                throw Unreachable(e, repo, settings, cache, cachedCommit, $"{ConfigFile}, {VocabFile} and {SafetensorsFile} or {PyTorchFile}", cachedCommit is null ? null : MissingForLoading(cache, cachedCommit));
            }

            string directory = cache.SnapshotDirectory(usable);
            HubLog.NetworkFallback(_logger, repo.Value, settings.Revision, directory, e.Message);
            return directory;
        }

        await WriteTreeAsync(repo, http, cache, fetcher.Commit!, cancellationToken).ConfigureAwait(false);
        return cache.SnapshotDirectory(fetcher.Commit!);
    }

    private async Task FetchModelFilesAsync(RepoId repo, HubSettings settings, HubHttp http, SnapshotFetcher fetcher, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        // config.json first: it is small and tells the commit, which pins the other files.
        await fetcher.FetchAsync(ConfigFile, required: true, progress, cancellationToken).ConfigureAwait(false);
        await FetchTokenizerAsync(repo, fetcher, progress, cancellationToken).ConfigureAwait(false);
        await fetcher.FetchAsync(TokenizerConfigFile, required: false, progress, cancellationToken).ConfigureAwait(false);
        if (await fetcher.FetchAsync(SafetensorsFile, required: false, progress, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        HubLog.Fallback(_logger, repo.Value, SafetensorsFile, PyTorchFile);
        if (await fetcher.FetchAsync(PyTorchFile, required: false, progress, cancellationToken).ConfigureAwait(false) is null)
        {
            string url = http.ResolveUrl(fetcher.Commit ?? settings.Revision, PyTorchFile).AbsoluteUri;
            throw new HubException(
                HubErrorKind.NoWeights,
                repo.Value,
                $"Model '{repo.Value}' (revision '{settings.Revision}') has no weights this library reads: neither {SafetensorsFile} nor {PyTorchFile} exists (last tried {url}).",
                url,
                (int)HttpStatusCode.NotFound);
        }
    }

    /// <summary>
    /// The tokenizer files: <c>vocab.txt</c> (WordPiece), else <c>sentencepiece.bpe.model</c> (XLM-RoBERTa), else
    /// <c>vocab.json</c> and <c>merges.txt</c> (RoBERTa), the order <c>BertVocabulary.Load</c> reads them in.
    /// </summary>
    private static async Task FetchTokenizerAsync(RepoId repo, SnapshotFetcher fetcher, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        if (await fetcher.FetchAsync(VocabFile, required: false, progress, cancellationToken).ConfigureAwait(false) is not null
            || await fetcher.FetchAsync(SentencePieceFile, required: false, progress, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        if (await fetcher.FetchAsync(VocabularyJsonFile, required: false, progress, cancellationToken).ConfigureAwait(false) is null)
        {
            // Required now, so that the error names the file as the hub reports it.
            await fetcher.FetchAsync(VocabFile, required: true, progress, cancellationToken).ConfigureAwait(false);
            return;
        }

        await fetcher.FetchAsync(MergesFile, required: true, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <c>trees/{commit}.json</c> as <c>huggingface_hub</c>'s <c>snapshot_download</c> does, so that Python, offline,
    /// sees that this snapshot holds only the files a BERT model needs instead of taking it as the whole repository.
    /// A hub or mirror without the tree API only loses that hint.
    /// </summary>
    private async Task WriteTreeAsync(RepoId repo, HubHttp http, HubCache cache, string commit, CancellationToken cancellationToken)
    {
        if (cache.TryReadTree(commit) is not null)
        {
            return;
        }

        try
        {
            List<RepoTreeEntry> entries = await http.ListTreeAsync(commit, cancellationToken).ConfigureAwait(false);
            cache.WriteTree(commit, entries);
        }
        catch (Exception e) when (e is HubException or IOException or UnauthorizedAccessException)
        {
            HubLog.TreeNotListed(_logger, repo.Value, commit, cache.TreePath(commit), e.Message);
        }
    }

    private async Task<string> DownloadFileCoreAsync(RepoId repo, string fileName, HubSettings settings, HubCache cache, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string? cachedCommit = CachedCommit(settings, cache);
        var http = new HubHttp(_client, settings, repo);
        var downloader = new BlobDownloader(http, cache, settings, repo, _logger);
        var fetcher = new SnapshotFetcher(http, downloader, cache, settings, repo, KnownCommit(settings, cache), _logger);
        try
        {
            return (await fetcher.FetchAsync(fileName, required: true, progress, cancellationToken).ConfigureAwait(false))!;
        }
        catch (HubException e) when (e.Kind == HubErrorKind.Network)
        {
            string? usable = new[] { fetcher.Commit, cachedCommit }.FirstOrDefault(c => c is not null && cache.HasFile(c, fileName));
            if (usable is null)
            {
                throw Unreachable(e, repo, settings, cache, cachedCommit, fileName, fileName);
            }

            HubLog.NetworkFallback(_logger, repo.Value, settings.Revision, cache.SnapshotDirectory(usable), e.Message);
            return cache.PointerPath(usable, fileName);
        }
    }

    /// <summary>The commit to use without asking the hub: the revision itself when it is a hash, else the cached ref unless updates are wanted.</summary>
    private static string? KnownCommit(HubSettings settings, HubCache cache) =>
        settings.CheckForUpdates && !HubCache.IsCommitHash(settings.Revision) ? null : CachedCommit(settings, cache);

    /// <summary>The commit the cache says the revision names: the revision itself when it is a hash, else its ref, or null.</summary>
    private static string? CachedCommit(HubSettings settings, HubCache cache) =>
        HubCache.IsCommitHash(settings.Revision) ? settings.Revision : cache.TryReadRef(settings.Revision);

    /// <summary>
    /// True when every file is either in the snapshot or known to be missing from the commit (<c>.no_exist</c>, or
    /// absent from the commit's <c>trees/{commit}.json</c>), so that no request can add anything.
    /// </summary>
    private static bool IsComplete(HubCache cache, string commit) =>
        cache.HasFile(commit, ConfigFile)
        && HasTokenizer(cache, commit)
        && (cache.HasFile(commit, TokenizerConfigFile) || cache.IsKnownMissing(commit, TokenizerConfigFile))
        && (cache.HasFile(commit, SafetensorsFile) || (cache.IsKnownMissing(commit, SafetensorsFile) && cache.HasFile(commit, PyTorchFile)));

    /// <summary>
    /// What the snapshot of <paramref name="commit"/> lacks for loading, or null when it can be loaded: config, vocabulary
    /// and one weights file. The optional <c>tokenizer_config.json</c> does not count.
    /// </summary>
    private static string? MissingForLoading(HubCache cache, string commit) =>
        !cache.HasFile(commit, ConfigFile) ? ConfigFile
        : !HasTokenizer(cache, commit) ? VocabFile
        : !cache.HasFile(commit, SafetensorsFile) && !cache.HasFile(commit, PyTorchFile) ? $"{SafetensorsFile} (or {PyTorchFile})"
        : null;

    /// <summary>Whether the snapshot holds a tokenizer: <c>vocab.txt</c>, <c>sentencepiece.bpe.model</c>, or <c>vocab.json</c> with <c>merges.txt</c>.</summary>
    private static bool HasTokenizer(HubCache cache, string commit) =>
        cache.HasFile(commit, VocabFile) || cache.HasFile(commit, SentencePieceFile)
        || (cache.HasFile(commit, VocabularyJsonFile) && cache.HasFile(commit, MergesFile));

    /// <summary>
    /// The network error, extended with what the cache lacks and what <c>HF_HUB_OFFLINE=1</c> would do.
    /// <paramref name="needed"/> names the files the call needs, <paramref name="lacking"/> those the cached snapshot lacks.
    /// </summary>
    private static HubException Unreachable(HubException error, RepoId repo, HubSettings settings, HubCache cache, string? cachedCommit, string needed, string? lacking)
    {
        string cached = cachedCommit is null
            ? $"the cache '{cache.Root}' has no snapshot of revision '{settings.Revision}'"
            : $"its cached snapshot '{cache.SnapshotDirectory(cachedCommit)}' lacks {lacking}";
        return new HubException(
            HubErrorKind.Network,
            repo.Value,
            $"{error.Message} No fallback: model '{repo.Value}' needs {needed}, and {cached}. Check the network, proxy or HF_ENDPOINT. " +
            "On a machine without access to the hub, fill the cache elsewhere (NerClassify and Python's huggingface_hub share it), " +
            "then set HF_HUB_OFFLINE=1 (or HubOptions.Offline = true): the cache is then read without trying any request.",
            error.Url,
            error.StatusCode,
            error);
    }

    private string FindOffline(RepoId repo, HubSettings settings, HubCache cache)
    {
        string commit = OfflineCommit(repo, settings, cache);
        string directory = cache.SnapshotDirectory(commit);
        if (MissingForLoading(cache, commit) is { } missing)
        {
            throw NotCached(repo, settings, missing, directory);
        }

        HubLog.OfflineHit(_logger, repo.Value, settings.Revision, directory);
        return directory;
    }

    private static string OfflineCommit(RepoId repo, HubSettings settings, HubCache cache) =>
        HubCache.IsCommitHash(settings.Revision) ? settings.Revision
        : cache.TryReadRef(settings.Revision)
            ?? throw new HubException(
                HubErrorKind.NotCached,
                repo.Value,
                $"Offline mode (HubOptions.Offline / HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE): model '{repo.Value}' revision '{settings.Revision}' is not in the cache: " +
                $"'{Path.Combine(cache.Root, "refs", settings.Revision)}' is missing, so config.json and the weights cannot be found. Download the model once online, or pass a commit hash as the revision.");

    private static HubException NotCached(RepoId repo, HubSettings settings, string fileName, string directory) =>
        new(
            HubErrorKind.NotCached,
            repo.Value,
            $"Offline mode (HubOptions.Offline / HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE): model '{repo.Value}' revision '{settings.Revision}' is cached at '{directory}' without {fileName}. Download it once online.");

    private static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler
        {
            // The hub's commit and ETag headers are on the redirect to the CDN, so redirects are followed by hand.
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = TimeSpan.FromSeconds(100),
        };
}
