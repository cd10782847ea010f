using Microsoft.Extensions.Logging;

namespace NerClassify.Tests.Hub;

/// <summary>One captured log entry.</summary>
internal sealed record LogEntry(LogLevel Level, int EventId, string Message, string Values, string? Exception)
{
    public string AllText => $"{Message} | {Values} | {Exception}";
}
