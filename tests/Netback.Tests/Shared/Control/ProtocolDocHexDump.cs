using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Ring.Shared.Control;

namespace Netback.Tests.Shared.Control;

/// <summary>
/// The hex dumps of docs/protocol.md ("Byte-level examples"), one control record each, written and
/// read in one fixed format: a column line, then one line per header field and one per entry (an
/// entry longer than 16 bytes continues on lines without a note), each line
/// <c>offset(4 hex)  bytes(16 × "xx", padded to 47)  note</c>. The notes say what the bytes decode to:
/// <c>magic "NBCT"</c>, <c>version 1</c>, <c>type 1 (Hello)</c>, <c>payload 314 bytes</c>,
/// <c>entries 13</c>, <c>fds 0</c>, then <c>key = value</c> per entry.
/// </summary>
internal static class ProtocolDocHexDump
{
    private const int BytesColumn = 8;
    private const int BytesWidth = 16 * 3 - 1;
    private const int NoteColumn = BytesColumn + BytesWidth + 2;

    /// <summary>The first line of every dump: the names of the three columns.</summary>
    public static readonly string ColumnLine = "offset  " + "bytes".PadRight(BytesWidth + 2) + "decoded";

    /// <summary>The dump of <paramref name="record"/>, as the doc holds it between the fences.</summary>
    public static string Render(byte[] record)
    {
        ushort fds = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(14));
        var message = ControlCodec.Decode(record, fds);
        var text = new StringBuilder();
        text.Append(ColumnLine).Append('\n');
        Line(text, record, 0, 4, "magic \"NBCT\"");
        Line(text, record, 4, 2, $"version {BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(4))}");
        Line(text, record, 6, 2, $"type {(int)message.Type} ({message.Type})");
        Line(text, record, 8, 4, $"payload {BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(8))} bytes");
        Line(text, record, 12, 2, $"entries {BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(12))}");
        Line(text, record, 14, 2, $"fds {fds}");
        int at = ControlCodec.HeaderSize;
        foreach (var (key, value) in message.Entries)
        {
            int length = Encoding.ASCII.GetByteCount(key) + 1 + Encoding.UTF8.GetByteCount(value) + 1;
            for (int done = 0; done < length; done += 16)
            {
                Line(text, record, at + done, Math.Min(16, length - done), done == 0 ? $"{key} = {value}" : "");
            }
            at += length;
        }
        return text.ToString();
    }

    /// <summary>A dump read back: the record's bytes and every note, in order.</summary>
    public sealed record Parsed(byte[] Record, IReadOnlyList<string> Notes);

    /// <summary>
    /// Reads a dump: the offsets must run on without a gap from 0, every byte is two hex digits.
    /// Throws <see cref="FormatException"/> saying where it is wrong.
    /// </summary>
    public static Parsed Parse(string dump)
    {
        string[] lines = dump.Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        if (lines.Length == 0 || lines[0] != ColumnLine)
        {
            throw new FormatException($"a dump starts with the column line '{ColumnLine}'");
        }
        var bytes = new List<byte>();
        var notes = new List<string>();
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length < BytesColumn + 2 || line[4..BytesColumn] != "    ")
            {
                throw new FormatException($"line {i + 1} '{line}': not 'offset  bytes  note'");
            }
            int offset = int.Parse(line[..4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (offset != bytes.Count)
            {
                throw new FormatException($"line {i + 1}: offset 0x{offset:x4}, but 0x{bytes.Count:x4} bytes came before it");
            }
            string hex = line[BytesColumn..Math.Min(line.Length, BytesColumn + BytesWidth)].TrimEnd();
            foreach (string pair in hex.Split(' '))
            {
                if (pair.Length != 2 || !byte.TryParse(pair, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                {
                    throw new FormatException($"line {i + 1}: '{pair}' is not a byte in hex");
                }
                bytes.Add(b);
            }
            notes.Add(line.Length > NoteColumn ? line[NoteColumn..] : "");
        }
        return new Parsed([.. bytes], notes);
    }

    private static void Line(StringBuilder text, byte[] record, int offset, int count, string note)
    {
        string hex = string.Join(' ', record.Skip(offset).Take(count).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        string line = $"{offset:x4}    {hex.PadRight(BytesWidth)}  {note}";
        text.Append(line.TrimEnd()).Append('\n');
    }
}
