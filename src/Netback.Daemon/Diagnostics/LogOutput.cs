using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace Netback.Daemon.Diagnostics;

/// <summary>
/// How netbackd's log lines look on stdout. Under systemd every line starts with <c>&lt;N&gt;</c>
/// (<see cref="SyslogLevelEnricher"/>) and journald files it at that priority (SyslogLevelPrefix=yes).
/// </summary>
internal static class LogOutput
{
    public const string JournalTemplate = "<{SyslogLevel}>{SourceContext}: {Message:lj}{NewLine}{Exception}";

    public const string TerminalTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    public static ITextFormatter Formatter(bool underSystemd) =>
        new MessageTemplateTextFormatter(underSystemd ? JournalTemplate : TerminalTemplate);
}
