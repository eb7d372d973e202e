using Microsoft.Extensions.Logging;
using Netback.Daemon.Diagnostics;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace Netback.Tests.Support;

/// <summary>
/// The daemon's stdout as journald reads it under systemd: the same Serilog enricher and formatter
/// Program.cs uses (<see cref="LogOutput"/>), into memory. Counts the events so a test can check
/// that each became exactly one line.
/// </summary>
internal sealed class JournalCapture : ILoggerProvider
{
    private readonly Sink _sink = new();
    private readonly SerilogLoggerProvider _provider;

    public JournalCapture()
    {
        var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .Enrich.With(new SyslogLevelEnricher())
            .WriteTo.Sink(_sink)
            .CreateLogger();
        _provider = new SerilogLoggerProvider(logger, dispose: true);
    }

    /// <summary>Events written so far.</summary>
    public int Events => _sink.Events;

    /// <summary>Everything written, as journald would split it: one entry per line.</summary>
    public string[] Lines()
    {
        string text = _sink.Text();
        return text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
    }

    public string Text() => _sink.Text();

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => _provider.CreateLogger(categoryName);

    public void Dispose() => _provider.Dispose();

    private sealed class Sink : ILogEventSink
    {
        private readonly Lock _lock = new();
        private readonly System.Text.StringBuilder _text = new();
        private readonly Serilog.Formatting.ITextFormatter _formatter = LogOutput.Formatter(underSystemd: true);

        public int Events { get; private set; }

        public void Emit(LogEvent logEvent)
        {
            lock (_lock)
            {
                Events++;
                using var writer = new StringWriter(_text);
                _formatter.Format(logEvent, writer);
            }
        }

        public string Text()
        {
            lock (_lock)
            {
                return _text.ToString();
            }
        }
    }
}
