using System.Text.RegularExpressions;
using Netback.Tests.Shared.Control;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// Text a frontend chooses reaches the log in refusal reasons: vifspec keys and values, the ring
/// layout, bad integers, event-channel values, record keys. Under systemd one line is one journal
/// entry and a line starting "&lt;N&gt;" sets its priority, so a newline in that text would forge
/// an entry. Every such text must arrive as one line, its control characters escaped, in the log
/// (as Program.cs formats it for journald) and in the reason sent back.
/// </summary>
public sealed partial class LogInjectionTests
{
    /// <summary>A newline and a forged journal line, ANSI colour, CR, NEL and LINE SEPARATOR.</summary>
    private const string Payload = "x\n<3>netbackd: forged\u001b[31mred\r\u0085\u2028end";

    /// <summary>Keys are ASCII on the wire: the same attack within ASCII.</summary>
    private const string AsciiPayload = "k\n<3>netbackd: forged\u001b[31m";

    public enum Place
    {
        VifspecKey,
        VifspecValue,
        VifspecItem,
        Bridge,
        RingLayout,
        BadInteger,
        EventChannel,
        RecordKey,
        RecordKeyWhileConnected,
    }

    [Theory]
    [InlineData(Place.VifspecKey)]
    [InlineData(Place.VifspecValue)]
    [InlineData(Place.VifspecItem)]
    [InlineData(Place.Bridge)]
    [InlineData(Place.RingLayout)]
    [InlineData(Place.BadInteger)]
    [InlineData(Place.EventChannel)]
    [InlineData(Place.RecordKey)]
    [InlineData(Place.RecordKeyWhileConnected)]
    public async Task Frontend_text_is_one_escaped_line_in_the_journal_and_in_the_reason(Place place)
    {
        using var journal = new JournalCapture();
        await using var backend = new InProcessBackend(alsoLogTo: journal);
        using var f = place == Place.RecordKeyWhileConnected ? HostileFrontend.Connect(backend.SocketPath) : HostileFrontend.Open(backend.SocketPath);
        var m = HostileFrontend.StandardConnect();
        switch (place)
        {
            case Place.VifspecKey:
                m.Set(XenbusKeys.VifSpec, Payload + "=1");
                break;
            case Place.VifspecValue:
                m.Set(XenbusKeys.VifSpec, "mtu=" + Payload);
                break;
            case Place.VifspecItem:
                m.Set(XenbusKeys.VifSpec, Payload);
                break;
            case Place.Bridge:
                m.Set(XenbusKeys.VifSpec, "bridge=" + Payload);
                break;
            case Place.RingLayout:
                m.Set(XenbusKeys.RingLayout, Payload);
                break;
            case Place.BadInteger:
                m.Set(XenbusKeys.MultiQueueNumQueues, Payload);
                break;
            case Place.EventChannel:
                m.Set(XenbusKeys.EventChannelTx, Payload);
                break;
        }
        if (place is Place.RecordKey or Place.RecordKeyWhileConnected)
        {
            byte[] record = RawRecord.Build(RawRecord.Entries(AsciiPayload, "1"), type: (ushort)ControlMessageType.State);
            SocketPair.SendRaw(f.Channel, record, default);
        }
        else
        {
            f.SendConnect(m, f.StandardFds());
        }

        var reply = f.ReceiveControl();
        Assert.Equal(ControlMessageType.Error, reply.Type);
        string reason = reply.Get(XenbusKeys.Reason) ?? "";
        Assert.True(IsPrintable(reason), $"the reason sent back carries control characters: {Show(reason)}");
        Assert.Contains("\\n<3>netbackd: forged\\x1b[31m", reason, StringComparison.Ordinal);
        Assert.True(f.WaitForEof());

        // What the operator reads: as many journal lines as events, each with its own priority prefix.
        Assert.True(Eventually(() => journal.Text().Contains("forged", StringComparison.Ordinal)), journal.Text());
        string[] lines = journal.Lines();
        Assert.Equal(journal.Events, lines.Length);
        Assert.All(lines, line => Assert.Matches(JournalLine(), line));
        Assert.DoesNotContain(lines, line => line.StartsWith("<3>netbackd", StringComparison.Ordinal));
        Assert.All(lines, line => Assert.True(IsPrintable(line), $"control characters in a journal line: {Show(line)}"));
        Assert.Contains(lines, line => line.Contains("\\n<3>netbackd: forged\\x1b[31m", StringComparison.Ordinal));
        // And in the log as any other provider receives it (the reasons are escaped where they are made).
        Assert.All(backend.Logs.Entries, e => Assert.True(IsPrintable(e.Message), $"control characters in a log entry: {Show(e.Message)}"));
    }

    [GeneratedRegex(@"^<[0-7]>[A-Za-z][A-Za-z0-9_.]*: ")]
    private static partial Regex JournalLine();

    private static bool IsPrintable(string s) =>
        s.All(c => !char.IsControl(c) && c is not ('\u2028' or '\u2029'));

    private static string Show(string s) => string.Concat(s.Select(c => char.IsControl(c) || c > '\u007e' ? $"\\u{(int)c:x4}" : c.ToString()));
}
