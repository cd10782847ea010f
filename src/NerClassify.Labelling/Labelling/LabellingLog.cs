using Microsoft.Extensions.Logging;

namespace NerClassify.Labelling;

/// <summary>Log messages of the language-model labeller and its cache (event ids 4600-4699).</summary>
internal static partial class LabellingLog
{
    [LoggerMessage(EventId = 4601, Level = LogLevel.Debug, Message = "Sentence {SentenceIndex}, attempt {Attempt}: the answer '{Answer}' names no single valid class")]
    public static partial void AnswerNotUnderstood(ILogger logger, int sentenceIndex, int attempt, string answer);

    [LoggerMessage(EventId = 4602, Level = LogLevel.Warning, Message = "Sentence {SentenceIndex}, attempt {Attempt}: the request failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, int sentenceIndex, int attempt);

    [LoggerMessage(EventId = 4603, Level = LogLevel.Warning, Message = "Sentence {SentenceIndex}, attempt {Attempt}: rate limited (status {StatusCode}); waiting {Delay} before retrying")]
    public static partial void RateLimited(ILogger logger, int sentenceIndex, int attempt, int statusCode, TimeSpan delay);

    [LoggerMessage(EventId = 4604, Level = LogLevel.Warning, Message = "Sentence {SentenceIndex}, attempt {Attempt}: no answer within {Timeout}")]
    public static partial void RequestTimedOut(ILogger logger, int sentenceIndex, int attempt, TimeSpan timeout);

    [LoggerMessage(EventId = 4605, Level = LogLevel.Warning, Message = "Sentence {SentenceIndex} left unlabelled after {Attempts} attempts; last answer '{Answer}', last error '{Error}'")]
    public static partial void Unlabelled(ILogger logger, int sentenceIndex, int attempts, string? answer, string? error);

    [LoggerMessage(EventId = 4606, Level = LogLevel.Information, Message = "Labelled {Labelled} of {Total} sentences ({Unlabelled} unlabelled, {CacheHits} from the cache, {ClientCalls} requests)")]
    public static partial void RunFinished(ILogger logger, int labelled, int total, int unlabelled, int cacheHits, int clientCalls);

    [LoggerMessage(EventId = 4610, Level = LogLevel.Warning, Message = "{Path}:{LineNumber}: unreadable cache line skipped")]
    public static partial void CacheLineSkipped(ILogger logger, string path, int lineNumber);

    [LoggerMessage(EventId = 4611, Level = LogLevel.Information, Message = "Opened label cache {Path} with {Count} answers ({Skipped} lines skipped)")]
    public static partial void CacheOpened(ILogger logger, string path, int count, int skipped);
}
