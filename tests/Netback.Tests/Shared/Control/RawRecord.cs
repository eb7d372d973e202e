using System.Buffers.Binary;
using System.Text;
using Ring.Shared.Control;

namespace Netback.Tests.Shared.Control;

/// <summary>Builds control records byte by byte, including ones the encoder would never produce.</summary>
internal static class RawRecord
{
    public static byte[] Build(
        IEnumerable<byte[]> parts,
        int? entries = null,
        int fds = 0,
        ushort type = (ushort)ControlMessageType.Connect,
        uint magic = ControlCodec.Magic,
        ushort version = ControlCodec.Version,
        uint? payloadLength = null)
    {
        byte[] payload = parts.SelectMany(p => p).ToArray();
        var record = new byte[ControlCodec.HeaderSize + payload.Length];
        var span = record.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], version);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], type);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], payloadLength ?? (uint)payload.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], (ushort)(entries ?? parts.Count() / 2));
        BinaryPrimitives.WriteUInt16LittleEndian(span[14..], (ushort)fds);
        payload.CopyTo(span[ControlCodec.HeaderSize..]);
        return record;
    }

    /// <summary>"text\0" as bytes (UTF-8).</summary>
    public static byte[] Z(string text) => [.. Encoding.UTF8.GetBytes(text), 0];

    public static byte[][] Entries(params string[] keysAndValues) => keysAndValues.Select(Z).ToArray();
}
