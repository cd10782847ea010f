using Microsoft.Extensions.Logging;

namespace NerClassify.Tokenization;

/// <summary>Log messages of tokenization (event ids 4100-4199).</summary>
internal static partial class TokenizationLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Sentence {SentenceIndex} has {SubwordCount} subwords, more than {MaxLength}; truncation dropped {DroppedWords} of its {WordCount} words")]
    public static partial void Truncated(ILogger logger, int sentenceIndex, int subwordCount, int maxLength, int droppedWords, int wordCount);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Sentence {SentenceIndex} has {SubwordCount} subwords, more than {MaxLength}; split into {WindowCount} windows")]
    public static partial void Windowed(ILogger logger, int sentenceIndex, int subwordCount, int maxLength, int windowCount);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "Word {WordIndex} of sentence {SentenceIndex} has {SubwordCount} subwords, more than a window holds; only the first {KeptCount} are kept")]
    public static partial void WordCut(ILogger logger, int wordIndex, int sentenceIndex, int subwordCount, int keptCount);
}
