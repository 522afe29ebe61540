using Microsoft.Extensions.Logging;

namespace Ticketing.Testing;

/// <summary>One line the silo logged.</summary>
public sealed record LoggedEntry(LogLevel Level, string Category, string Message);

/// <summary>Keeps what the silo logs in a list, so a test can say what an on-call engineer would read.</summary>
internal sealed class CapturingLoggerProvider(List<LoggedEntry> entries) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, List<LoggedEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (entries)
            {
                entries.Add(new LoggedEntry(logLevel, category, formatter(state, exception)));
            }
        }
    }
}
