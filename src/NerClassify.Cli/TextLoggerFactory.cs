using Microsoft.Extensions.Logging;

namespace NerClassify.Cli;

/// <summary>Writes the library's logs to standard error as <c>level: category: message</c>, filtered by <c>--verbosity</c>.</summary>
internal sealed class TextLoggerFactory(TextWriter writer, Verbosity verbosity) : ILoggerFactory
{
    private readonly LogLevel _minimum = verbosity switch
    {
        Verbosity.Quiet => LogLevel.Error,
        Verbosity.Minimal => LogLevel.Warning,
        Verbosity.Normal => LogLevel.Information,
        Verbosity.Detailed => LogLevel.Debug,
        _ => LogLevel.Trace,
    };

    public ILogger CreateLogger(string categoryName) => new TextLogger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The command line writes its own logs.");

    public void Dispose()
    {
    }

    private sealed class TextLogger(TextLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= factory._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            string level = logLevel switch
            {
                LogLevel.Warning => "warning",
                LogLevel.Error or LogLevel.Critical => "error",
                LogLevel.Information => "info",
                _ => "debug",
            };
            lock (factory)
            {
                factory.WriteLine($"{level}: {category}: {formatter(state, exception)}");
            }
        }
    }

    private void WriteLine(string line) => writer.WriteLine(line);
}
