using System.Buffers.Binary;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Netback.Daemon.Configuration;
using Netback.Daemon.DataPath;
using Netback.Daemon.Interface;
using Netback.Daemon.Xenbus;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Memory;
using Ring.Shared.Rings;

namespace Netback.Tests.Shared.Control;

/// <summary>
/// docs/protocol.md is the contract a third party writes a frontend from, so it must not drift from
/// the code: its hex dumps decode with the real codec to exactly what their notes say and encode back
/// to the same bytes (the Hello is the daemon's own, the Connect one the daemon accepts, the State
/// the one it sends on a fatal error); every message type, every xenbus key and every key
/// ConnectRequest reads is documented; its tables of numbers and ring sizes are the code's.
/// </summary>
public sealed partial class ProtocolDocTests
{
    private static readonly Lazy<string> DocText = new(() =>
        File.ReadAllText(Path.Combine(RepositoryPaths.Root(), "docs", "protocol.md")).Replace("\r", "", StringComparison.Ordinal));

    private static string Doc => DocText.Value;

    /// <summary>The options of the daemon the Hello example comes from.</summary>
    private static NetbackOptions ExampleOptions() => new() { MaxQueues = 4 };

    [Fact]
    public void The_doc_has_a_Hello_a_Connect_and_a_State_example()
    {
        var types = Dumps(Doc).Select(d => Verify(d).Message.Type).ToArray();
        Assert.Equal([ControlMessageType.Hello, ControlMessageType.Connect, ControlMessageType.State], types);
    }

    [Fact]
    public void Every_example_decodes_to_what_its_notes_say_and_encodes_to_its_bytes()
    {
        foreach (string dump in Dumps(Doc))
        {
            Verify(dump);
        }
    }

    [Fact]
    public void The_Hello_example_is_what_the_daemon_sends()
    {
        var (hello, bytes, _) = Verify(Dump(ControlMessageType.Hello));
        var options = ExampleOptions();
        byte[] daemon = ControlCodec.Encode(BackendFeatures.Hello(options, NetifLimits.DefaultMtu), 0);
        Assert.Equal(ProtocolDocHexDump.Render(daemon), ProtocolDocHexDump.Render(bytes));
        Assert.Equal(daemon, bytes);
        Assert.Equal("2", hello.Get(XenbusKeys.State));
    }

    [Fact]
    public void The_Connect_example_is_one_the_daemon_accepts()
    {
        var (connect, _, fds) = Verify(Dump(ControlMessageType.Connect));
        var request = ConnectRequest.Parse(connect, fds, ExampleOptions());
        Assert.Equal(2, request.NumQueues);
        Assert.True(request.SplitEventChannels);
        Assert.Equal(0, request.RingPageOrder);
        Assert.Equal(RingLayout.Xen, request.Layout);
        Assert.Equal(1028, request.GrantPages);
        Assert.Equal(4, request.DataPageFirst);
        Assert.Equal(0, request.GrantAreaFd);
        Assert.Equal(5, request.DomId);
        Assert.Equal(0, request.Handle);
        // The fd order the doc's table gives: memfd, then per queue TX kick, TX call, RX kick, RX call.
        Assert.Equal(new QueuePlan(0, 1, 1, 2, 3, 4), request.Queues[0]);
        Assert.Equal(new QueuePlan(2, 3, 5, 6, 7, 8), request.Queues[1]);
        // ... and the grant area is Netfront.Client's layout for it.
        var tx = RingGeometry.For(RingKind.Tx, RingLayout.Xen, 0);
        var rx = RingGeometry.For(RingKind.Rx, RingLayout.Xen, 0);
        Assert.Equal(request.DataPageFirst + 2 * (int)(tx.Size + rx.Size), request.GrantPages);
    }

    [Fact]
    public void The_State_example_is_what_the_daemon_sends_on_a_fatal_error()
    {
        var (closing, bytes, _) = Verify(Dump(ControlMessageType.State));
        string reason = closing.Get(XenbusKeys.Reason)!;
        Assert.StartsWith("fatal frontend error on queue 0: BadGref ", reason, StringComparison.Ordinal);
        Assert.Equal(ControlCodec.Encode(XenbusReplies.Closing(reason), 0), bytes);
    }

    /// <summary>The check is not vacuous: one byte or one note changed in a dump fails it.</summary>
    [Fact]
    public void A_changed_byte_or_note_fails_the_check()
    {
        string hello = Dump(ControlMessageType.Hello);
        Verify(hello);
        // "state = 2" becomes state 3 in the bytes only.
        string byteChanged = ReplaceOnce(hello, "73 74 61 74 65 00 32 00", "73 74 61 74 65 00 33 00");
        Assert.ThrowsAny<Exception>(() => Verify(byteChanged));
        // The payload length no longer matches the record.
        string lengthChanged = ReplaceOnce(hello, "11 01 00 00", "12 01 00 00");
        Assert.ThrowsAny<Exception>(() => Verify(lengthChanged));
        // The note says what the bytes do not.
        string noteChanged = ReplaceOnce(hello, "mtu = 1500", "mtu = 1400");
        Assert.ThrowsAny<Exception>(() => Verify(noteChanged));
        // A byte left out: the offsets no longer run on.
        string byteDropped = ReplaceOnce(hello, "6d 74 75 00 31 35 30 30 00", "6d 74 75 00 31 35 30 00");
        Assert.ThrowsAny<Exception>(() => Verify(byteDropped));
    }

    [Fact]
    public void The_message_type_table_lists_every_type_with_its_number()
    {
        var rows = Tables(Section("Message types")).Single()
            .Select(r => (Number: int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture), Name: r[1].Trim('`')))
            .ToArray();
        var code = Enum.GetValues<ControlMessageType>().Select(t => ((int)t, t.ToString())).ToArray();
        Assert.Equal(code, rows);
    }

    [Fact]
    public void Every_xenbus_key_is_documented()
    {
        var missing = typeof(XenbusKeys).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(key => !Doc.Contains($"`{key}`", StringComparison.Ordinal))
            .ToArray();
        Assert.True(missing.Length == 0, $"XenbusKeys not in docs/protocol.md: {string.Join(", ", missing)}");
    }

    /// <summary>
    /// The keys ConnectRequest.cs reads, found in its source (every <c>XenbusKeys.X</c> it names, and
    /// <c>state</c> through <c>ControlMessage.State</c>), each a row of the doc's Connect table; and no
    /// key is read there by a string literal that this scan would miss.
    /// </summary>
    [Fact]
    public void Every_key_ConnectRequest_reads_is_in_the_Connect_table()
    {
        string source = File.ReadAllText(Path.Combine(RepositoryPaths.Root(), "src", "Netback.Daemon", "Xenbus", "ConnectRequest.cs"));
        Assert.DoesNotMatch(LiteralKeyRead(), source);
        var keys = new SortedSet<string>(StringComparer.Ordinal) { XenbusKeys.State };
        foreach (Match m in XenbusKeyUse().Matches(source))
        {
            string name = m.Groups[1].Value;
            if (typeof(XenbusKeys).GetField(name, BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field)
            {
                keys.Add((string)field.GetRawConstantValue()!);
            }
            else
            {
                Assert.NotNull(typeof(XenbusKeys).GetMethod(name, BindingFlags.Public | BindingFlags.Static));
            }
        }
        var table = Tables(Section("Connect (frontend → backend)")).First();
        var documented = table.SelectMany(r => Backticked().Matches(r[0]).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
        var missing = keys.Where(k => !documented.Contains(k)).ToArray();
        Assert.True(missing.Length == 0, $"keys ConnectRequest reads that the Connect table lacks: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_Hello_table_lists_the_daemons_keys_in_order()
    {
        var table = Tables(Section("Hello (backend → frontend)")).First();
        var documented = table.Select(r => r[0].Trim('`')).ToArray();
        var daemon = BackendFeatures.Hello(ExampleOptions(), NetifLimits.DefaultMtu).Entries.Select(e => e.Key).ToArray();
        Assert.Equal(daemon, documented);
    }

    [Fact]
    public void Every_fatal_reason_a_Closing_can_name_is_documented()
    {
        string section = Section("Closing, shutdown and reconnect");
        var missing = Enum.GetNames<Netback.Daemon.Diagnostics.FatalReason>()
            .Where(n => n != nameof(Netback.Daemon.Diagnostics.FatalReason.Count) && !section.Contains($"`{n}`", StringComparison.Ordinal))
            .ToArray();
        Assert.True(missing.Length == 0, $"FatalReason values the Closing section does not name: {string.Join(", ", missing)}");
    }

    /// <summary>Every table row whose last cell names a constant (<c>`Type.Member`</c>) gives that constant's value first in its value cell.</summary>
    [Fact]
    public void Every_number_the_doc_ties_to_a_constant_is_the_constants()
    {
        var types = new Dictionary<string, Type>(StringComparer.Ordinal)
        {
            ["ControlCodec"] = typeof(ControlCodec),
            ["NetifLimits"] = typeof(NetifLimits),
            ["GrantArea"] = typeof(GrantArea),
            ["VifRegistry"] = typeof(VifRegistry),
            ["VifSpec"] = typeof(VifSpec),
            ["TxRequestReader"] = typeof(TxRequestReader),
            ["SpoofFilter"] = typeof(SpoofFilter),
            ["XenbusReplies"] = typeof(XenbusReplies),
            ["QueueWorker"] = typeof(QueueWorker<>),
        };
        int checkedRows = 0;
        var problems = new List<string>();
        foreach (var row in Tables(Doc).SelectMany(t => t))
        {
            var m = ConstantCell().Match(row[^1]);
            if (!m.Success || row.Length < 3)
            {
                continue;
            }
            string typeName = m.Groups[1].Value;
            string member = m.Groups[2].Value;
            if (!types.TryGetValue(typeName, out var type))
            {
                problems.Add($"{typeName}.{member}: add {typeName} to this test's map");
                continue;
            }
            var field = type.GetField(member, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static);
            if (field is not { IsLiteral: true })
            {
                problems.Add($"{typeName}.{member} is not a constant");
                continue;
            }
            long expected = Convert.ToInt64(field.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture);
            var number = FirstNumber().Match(row[^2]);
            if (!number.Success || long.Parse(number.Value, System.Globalization.CultureInfo.InvariantCulture) != expected)
            {
                problems.Add($"'{string.Join(" | ", row)}': the code says {expected}");
            }
            checkedRows++;
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(checkedRows >= 20, $"only {checkedRows} rows tied to constants: did the tables' format change?");
    }

    [Fact]
    public void The_ring_size_table_is_RingGeometrys()
    {
        var table = Tables(Section("Rings")).Single(t => t.Count > 0 && t[0].Length == 7);
        Assert.Equal(NetifLimits.MaxRingPageOrder + 1, table.Count);
        foreach (var row in table)
        {
            int order = int.Parse(row[0], System.Globalization.CultureInfo.InvariantCulture);
            uint slots = RingGeometry.For(RingKind.Tx, RingLayout.Xen, order).Size;
            foreach (var layout in new[] { RingLayout.Xen, RingLayout.Cacheline, RingLayout.CachelineSlot })
            {
                Assert.Equal(slots, RingGeometry.For(RingKind.Tx, layout, order).Size);
                Assert.Equal(slots, RingGeometry.For(RingKind.Rx, layout, order).Size);
            }
            uint[] expected =
            [
                slots,
                (uint)RingGeometry.For(RingKind.Tx, RingLayout.Xen, order).Pages,
                (uint)RingGeometry.For(RingKind.Tx, RingLayout.Cacheline, order).Pages,
                (uint)RingGeometry.For(RingKind.Rx, RingLayout.Cacheline, order).Pages,
                (uint)RingGeometry.For(RingKind.Tx, RingLayout.CachelineSlot, order).Pages,
                (uint)RingGeometry.For(RingKind.Rx, RingLayout.CachelineSlot, order).Pages,
            ];
            Assert.Equal(expected, row[1..].Select(c => uint.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        }
    }

    [Fact]
    public void The_ring_layout_table_gives_RingGeometrys_offsets()
    {
        var table = Tables(Section("Rings")).Single(t => t.Count == 3 && t[0].Length == 8);
        foreach (var row in table)
        {
            var layout = row[0].StartsWith("`cacheline-slot`", StringComparison.Ordinal) ? RingLayout.CachelineSlot
                : row[0].StartsWith("`cacheline`", StringComparison.Ordinal) ? RingLayout.Cacheline : RingLayout.Xen;
            var tx = RingGeometry.For(RingKind.Tx, layout, 0);
            var rx = RingGeometry.For(RingKind.Rx, layout, 0);
            int[] expected = [tx.ReqProdOffset, tx.ReqEventOffset, tx.RspProdOffset, tx.RspEventOffset, tx.HeaderSize, tx.SlotStride, rx.SlotStride];
            Assert.Equal(expected, row[1..].Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        }
    }

    /// <summary>Checks one dump against the codec; returns what it decodes to, its bytes and its fd count.</summary>
    internal static (ControlMessage Message, byte[] Bytes, int Fds) Verify(string dump)
    {
        var parsed = ProtocolDocHexDump.Parse(dump);
        byte[] bytes = parsed.Record;
        Assert.True(bytes.Length >= ControlCodec.HeaderSize, "a dump holds at least a header");
        int fds = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(14));
        var message = ControlCodec.Decode(bytes, fds);

        var notes = parsed.Notes.Where(n => n.Length != 0).ToArray();
        Assert.Equal(6 + message.Entries.Count, notes.Length);
        Assert.Equal("NBCT"u8.ToArray(), bytes[..4]);
        Assert.Equal("magic \"NBCT\"", notes[0]);
        Assert.Equal($"version {ControlCodec.Version}", notes[1]);
        Assert.Equal($"type {(int)message.Type} ({message.Type})", notes[2]);
        Assert.Equal($"payload {bytes.Length - ControlCodec.HeaderSize} bytes", notes[3]);
        Assert.Equal($"entries {message.Entries.Count}", notes[4]);
        Assert.Equal($"fds {fds}", notes[5]);
        var stated = notes[6..].Select(n =>
        {
            int eq = n.IndexOf(" = ", StringComparison.Ordinal);
            Assert.True(eq > 0, $"note '{n}' is not 'key = value'");
            return new KeyValuePair<string, string>(n[..eq], n[(eq + 3)..]);
        }).ToArray();
        Assert.Equal(stated, message.Entries);

        Assert.Equal(bytes, ControlCodec.Encode(message, fds));
        Assert.Equal(ProtocolDocHexDump.Render(bytes), dump + "\n");
        return (message, bytes, fds);
    }

    private static IEnumerable<string> Dumps(string doc) =>
        HexDumpBlock().Matches(doc).Select(m => m.Groups[1].Value);

    private static string Dump(ControlMessageType type) =>
        Dumps(Doc).Single(d => ControlCodec.Decode(ProtocolDocHexDump.Parse(d).Record,
            BinaryPrimitives.ReadUInt16LittleEndian(ProtocolDocHexDump.Parse(d).Record.AsSpan(14))).Type == type);

    /// <summary>The body of the section headed <c>## <paramref name="heading"/></c>, up to the next such heading.</summary>
    private static string Section(string heading)
    {
        string start = $"\n## {heading}\n";
        int at = Doc.IndexOf(start, StringComparison.Ordinal);
        Assert.True(at >= 0, $"docs/protocol.md has no section '## {heading}'");
        int body = at + start.Length;
        int end = Doc.IndexOf("\n## ", body, StringComparison.Ordinal);
        return end < 0 ? Doc[body..] : Doc[body..end];
    }

    /// <summary>The Markdown tables in <paramref name="text"/>: their body rows (header and rule left out) as cells; a | inside backticks stays in its cell.</summary>
    private static List<List<string[]>> Tables(string text)
    {
        var tables = new List<List<string[]>>();
        List<string[]>? current = null;
        int row = 0;
        foreach (string line in text.Split('\n'))
        {
            if (!line.StartsWith('|'))
            {
                current = null;
                continue;
            }
            if (current is null)
            {
                current = [];
                tables.Add(current);
                row = 0;
            }
            if (row++ >= 2)
            {
                current.Add(Cells(line));
            }
        }
        return tables;
    }

    private static string[] Cells(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool code = false;
        foreach (char c in line.Trim().Trim('|'))
        {
            if (c == '`')
            {
                code = !code;
            }
            if (c == '|' && !code)
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
                continue;
            }
            cell.Append(c);
        }
        cells.Add(cell.ToString().Trim());
        return [.. cells];
    }

    private static string ReplaceOnce(string text, string from, string to)
    {
        int at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' not in the dump");
        return string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length));
    }

    [GeneratedRegex(@"```hexdump\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex HexDumpBlock();

    [GeneratedRegex(@"XenbusKeys\.([A-Za-z0-9_]+)")]
    private static partial Regex XenbusKeyUse();

    [GeneratedRegex(@"\b(?:Get|GetInt|GetFlag|Has)\(\s*""")]
    private static partial Regex LiteralKeyRead();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"^`([A-Za-z]+)\.([A-Za-z]+)`$")]
    private static partial Regex ConstantCell();

    [GeneratedRegex(@"\d+")]
    private static partial Regex FirstNumber();
}
