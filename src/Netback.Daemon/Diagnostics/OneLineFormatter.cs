using Ring.Shared.Text;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace Netback.Daemon.Diagnostics;

/// <summary>
/// Writes each event as exactly one line, whatever text it carries: every string in its properties
/// (and the template itself, should one ever be built from data) has its control characters escaped
/// (<see cref="PrintableText"/>), and an exception is appended to the same line, escaped, instead of
/// on lines of its own. This is the one place every log line passes, so no path that puts a
/// frontend's text into a message (a reason, a vif name, another layer's detail) can forge a journal
/// entry or drive a terminal. Strings are also capped, so no event reaches journald's line limit
/// (LineMax, 48 KiB), where it would split a line and start a new entry mid-text.
/// </summary>
internal sealed class OneLineFormatter : ITextFormatter
{
    /// <summary>The property an output template names to place the escaped exception: empty without one.</summary>
    public const string ExceptionProperty = "ExceptionText";

    private const int MaxStringLength = 4096;
    private const int MaxExceptionLength = 16384;

    private static readonly MessageTemplateParser Parser = new();
    private readonly MessageTemplateTextFormatter _inner;

    public OneLineFormatter(string outputTemplate) => _inner = new MessageTemplateTextFormatter(outputTemplate);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        var properties = new List<LogEventProperty>(logEvent.Properties.Count + 1);
        foreach (var (name, value) in logEvent.Properties)
        {
            properties.Add(new LogEventProperty(name, Escape(value)));
        }
        string exception = logEvent.Exception is null ? "" : " | " + Printable(logEvent.Exception.ToString(), MaxExceptionLength);
        properties.Add(new LogEventProperty(ExceptionProperty, new ScalarValue(exception)));
        var template = PrintableText.IsPrintable(logEvent.MessageTemplate.Text)
            ? logEvent.MessageTemplate
            : Parser.Parse(PrintableText.Escape(logEvent.MessageTemplate.Text));
        _inner.Format(new LogEvent(logEvent.Timestamp, logEvent.Level, null, template, properties), output);
    }

    private static LogEventPropertyValue Escape(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string s } => new ScalarValue(Printable(s, MaxStringLength)),
        ScalarValue { Value: null or bool or char or byte or sbyte or short or ushort or int or uint or long or ulong
            or float or double or decimal or Enum or DateTime or DateTimeOffset or TimeSpan or Guid } => value,
        // Any other object is rendered with its ToString(): escape that too.
        ScalarValue scalar => new ScalarValue(Printable(scalar.Value.ToString() ?? "", MaxStringLength)),
        SequenceValue sequence => new SequenceValue(sequence.Elements.Select(Escape)),
        StructureValue structure => new StructureValue(
            structure.Properties.Select(p => new LogEventProperty(p.Name, Escape(p.Value))), structure.TypeTag),
        DictionaryValue dictionary => new DictionaryValue(
            dictionary.Elements.Select(e => new KeyValuePair<ScalarValue, LogEventPropertyValue>((ScalarValue)Escape(e.Key), Escape(e.Value)))),
        _ => value,
    };

    private static string Printable(string s, int max) => PrintableText.Escape(s.Length <= max ? s : s[..max] + "…");
}
