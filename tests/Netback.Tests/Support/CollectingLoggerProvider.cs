using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Netback.Tests.Support;

/// <summary>Keeps every log line (level, event id, text) for assertions.</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Collector(this);

    public IEnumerable<string> Lines(LogLevel atLeast) =>
        Entries.Where(e => e.Level >= atLeast).Select(e => $"{e.Level}: {e.Message}");

    public void Dispose()
    {
    }

    private sealed class Collector(CollectingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}
