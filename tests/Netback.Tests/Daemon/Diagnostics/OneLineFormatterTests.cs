using Netback.Daemon.Diagnostics;
using Serilog.Events;
using Serilog.Parsing;

namespace Netback.Tests.Daemon.Diagnostics;

/// <summary>Each event is one line as journald reads it, whatever its properties, template or exception hold.</summary>
public sealed class OneLineFormatterTests
{
    private static readonly MessageTemplateParser Parser = new();

    private static string Format(string template, Exception? exception, params (string Name, LogEventPropertyValue Value)[] properties)
    {
        var all = properties.Select(p => new LogEventProperty(p.Name, p.Value)).ToList();
        all.Add(new LogEventProperty("SyslogLevel", new ScalarValue(4)));
        all.Add(new LogEventProperty("SourceContext", new ScalarValue("Netback.Xenbus")));
        var e = new LogEvent(DateTimeOffset.UnixEpoch, LogEventLevel.Warning, exception, Parser.Parse(template), all);
        using var w = new StringWriter();
        LogOutput.Formatter(underSystemd: true).Format(e, w);
        return w.ToString();
    }

    private static void AssertOneLine(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text[..^1]);
        Assert.StartsWith("<4>Netback.Xenbus: ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_property_with_a_newline_stays_on_its_line()
    {
        string text = Format("Refused: {Reason}", null, ("Reason", new ScalarValue("bad\n<3>netbackd: forged\u001b[0m")));
        AssertOneLine(text);
        Assert.Equal("<4>Netback.Xenbus: Refused: bad\\n<3>netbackd: forged\\x1b[0m\n", text);
    }

    [Fact]
    public void An_exception_is_appended_to_the_same_line_escaped()
    {
        Exception error;
        try
        {
            throw new InvalidOperationException("first\nsecond");
        }
        catch (InvalidOperationException e)
        {
            error = e;
        }
        string text = Format("Session failed", error);
        AssertOneLine(text);
        Assert.Contains("Session failed | System.InvalidOperationException: first\\nsecond\\n   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Sequences_structures_dictionaries_and_other_objects_are_escaped_too()
    {
        string text = Format("{A} {B} {C} {D}", null,
            ("A", new SequenceValue([new ScalarValue("s\n1")])),
            ("B", new StructureValue([new LogEventProperty("P", new ScalarValue("s\n2"))])),
            ("C", new DictionaryValue([new(new ScalarValue("k\n3"), new ScalarValue("v\n4"))])),
            ("D", new ScalarValue(new Uri("http://a/b%0Ac"))));
        AssertOneLine(text);
        // Rendered as JSON after escaping, so the escapes' backslashes are doubled: one line all the same.
        Assert.True(Ring.Shared.Text.PrintableText.IsPrintable(text[..^1]), text);
        foreach (string part in new[] { "s\\\\n1", "s\\\\n2", "k\\\\n3", "v\\\\n4" })
        {
            Assert.Contains(part, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_template_made_from_data_is_escaped()
    {
        string text = Format("made from data\n<0>netbackd: forged", null);
        AssertOneLine(text);
        Assert.Contains("made from data\\n<0>netbackd: forged", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_strings_are_capped_far_below_journalds_line_limit()
    {
        string text = Format("{Reason}", null, ("Reason", new ScalarValue(new string('\n', 40_000))));
        AssertOneLine(text);
        Assert.InRange(text.Length, 4096, 4096 * 2 + 100); // 4096 escaped newlines, two characters each
    }

    [Fact]
    public void Numbers_keep_their_formats()
    {
        string text = Format("{Seconds:0.0} s, queue {Queue}", null, ("Seconds", new ScalarValue(1.25)), ("Queue", new ScalarValue(3)));
        Assert.Equal("<4>Netback.Xenbus: 1.3 s, queue 3\n", text);
    }
}
