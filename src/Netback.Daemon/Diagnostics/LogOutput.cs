using Serilog.Formatting;

namespace Netback.Daemon.Diagnostics;

/// <summary>
/// How netbackd's log lines look on stdout: one line per event (<see cref="OneLineFormatter"/>).
/// Under systemd every line starts with <c>&lt;N&gt;</c> (<see cref="SyslogLevelEnricher"/>) and
/// journald files it at that priority (SyslogLevelPrefix=yes).
/// </summary>
internal static class LogOutput
{
    public const string JournalTemplate = "<{SyslogLevel}>{SourceContext}: {Message:lj}{" + OneLineFormatter.ExceptionProperty + "}{NewLine}";

    public const string TerminalTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{" + OneLineFormatter.ExceptionProperty + "}{NewLine}";

    public static ITextFormatter Formatter(bool underSystemd) => new OneLineFormatter(underSystemd ? JournalTemplate : TerminalTemplate);
}
