using Microsoft.Extensions.Logging;

namespace NerClassify.Hub;

/// <summary>Log messages of the hub client (event ids 4300-4399).</summary>
internal static partial class HubLog
{
    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Model {ModelId} revision {Revision} found complete in the cache at {Directory}; no request made")]
    public static partial void CacheHit(ILogger logger, string modelId, string revision, string directory);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Downloading {FileName} of {ModelId} from {Url} ({TotalBytes} bytes)")]
    public static partial void Downloading(ILogger logger, string fileName, string modelId, string url, long? totalBytes);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Information, Message = "Downloaded {FileName} of {ModelId}: {Bytes} bytes in {ElapsedMs} ms")]
    public static partial void Downloaded(ILogger logger, string fileName, string modelId, long bytes, long elapsedMs);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Warning, Message = "Download from {Url} broke off at byte {Offset} (attempt {Attempt} of {MaxAttempts}); resuming: {Error}")]
    public static partial void Resuming(ILogger logger, string url, long offset, int attempt, int maxAttempts, string error);

    [LoggerMessage(EventId = 4305, Level = LogLevel.Warning, Message = "{Url} ignored the range request from byte {Offset}; downloading from the start")]
    public static partial void RangeIgnored(ILogger logger, string url, long offset);

    [LoggerMessage(EventId = 4306, Level = LogLevel.Warning, Message = "Download of {FileName} from {Url} is corrupt ({Problem}); deleted, fetching again")]
    public static partial void CorruptDownload(ILogger logger, string fileName, string url, string problem);

    [LoggerMessage(EventId = 4307, Level = LogLevel.Information, Message = "Waiting for {LockPath}: another download of the same file is running")]
    public static partial void WaitingForLock(ILogger logger, string lockPath);

    [LoggerMessage(EventId = 4308, Level = LogLevel.Information, Message = "{ModelId} has no {MissingFile}; using {FallbackFile}")]
    public static partial void Fallback(ILogger logger, string modelId, string missingFile, string fallbackFile);

    [LoggerMessage(EventId = 4309, Level = LogLevel.Debug, Message = "{FileName} of {ModelId} is already in the cache for commit {Commit}")]
    public static partial void AlreadyCached(ILogger logger, string fileName, string modelId, string commit);

    [LoggerMessage(EventId = 4310, Level = LogLevel.Information, Message = "Offline: using the cached snapshot {Directory} of {ModelId} revision {Revision}")]
    public static partial void OfflineHit(ILogger logger, string modelId, string revision, string directory);

    [LoggerMessage(EventId = 4311, Level = LogLevel.Warning, Message = "The hub could not be reached for {ModelId} revision {Revision}; falling back to the cached snapshot {Directory}. Set HF_HUB_OFFLINE=1 to skip the request. Error: {Error}")]
    public static partial void NetworkFallback(ILogger logger, string modelId, string revision, string directory, string error);

    [LoggerMessage(EventId = 4312, Level = LogLevel.Information, Message = "Could not list the files of {ModelId} at commit {Commit}, so {TreePath} was not written: {Error}")]
    public static partial void TreeNotListed(ILogger logger, string modelId, string commit, string treePath, string error);

    [LoggerMessage(EventId = 4313, Level = LogLevel.Information, Message = "Resuming {FileName} of {ModelId} from the {Bytes} bytes that an interrupted download left in {Path}")]
    public static partial void ResumingInterrupted(ILogger logger, string fileName, string modelId, long bytes, string path);

    [LoggerMessage(EventId = 4314, Level = LogLevel.Information, Message = "Deleted {Path}, left by an interrupted download of {FileName} of {ModelId}")]
    public static partial void DeletedInterrupted(ILogger logger, string path, string fileName, string modelId);
}
