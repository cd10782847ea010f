using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NerClassify.Tests.Hub;

/// <summary>Keeps every log entry: level, event id, the formatted message and each structured value as text.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        IEnumerable<string> values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.Select(p => $"{p.Key}={p.Value}") : [];
        Entries.Enqueue(new LogEntry(logLevel, eventId.Id, formatter(state, exception), string.Join("; ", values), exception?.ToString()));
    }
}
