using Microsoft.Extensions.Logging;

namespace NerClassify.Data;

/// <summary>Log messages of the data readers (event ids 4000-4099).</summary>
internal static partial class DataLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "{FileName}:{LineNumber}: {Problem}")]
    public static partial void DataWarning(ILogger logger, string fileName, int lineNumber, string problem);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Read {SentenceCount} sentences in {DocumentCount} documents from {FileName}; scheme {Scheme}, {WarningCount} warnings")]
    public static partial void CorpusLoaded(ILogger logger, int sentenceCount, int documentCount, string fileName, LabelScheme scheme, int warningCount);
}
