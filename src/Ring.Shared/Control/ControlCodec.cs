using System.Buffers.Binary;
using System.Text;

namespace Ring.Shared.Control;

/// <summary>
/// Wire format of one control message (one SOCK_SEQPACKET record):
/// <code>
///   0  u32 magic "NBCT"   4  u16 version   6  u16 type
///   8  u32 payload bytes 12  u16 entries  14  u16 fds attached (SCM_RIGHTS)
///  16  payload: entries as "key\0value\0", ASCII keys, UTF-8 values
/// </code>
/// Everything is bounded; anything unknown, oversize or inconsistent is a protocol error.
/// </summary>
public static class ControlCodec
{
    public const uint Magic = 0x5443424E; // "NBCT" little-endian
    public const ushort Version = 1;
    public const int HeaderSize = 16;
    public const int MaxMessageBytes = 16 * 1024;
    public const int MaxEntries = 512;
    public const int MaxKeyBytes = 64;
    public const int MaxValueBytes = 1024;
    /// <summary>Grant area + 4 eventfds for each of up to 16 queues, with room to spare.</summary>
    public const int MaxFds = 72;

    public static byte[] Encode(ControlMessage message, int fdCount)
    {
        if ((uint)fdCount > MaxFds)
        {
            throw new ControlProtocolException($"{fdCount} fds exceed the limit of {MaxFds}");
        }
        if (message.Entries.Count > MaxEntries)
        {
            throw new ControlProtocolException($"{message.Entries.Count} entries exceed the limit of {MaxEntries}");
        }
        int payload = 0;
        foreach (var (key, value) in message.Entries)
        {
            ValidateKey(key);
            int vlen = Encoding.UTF8.GetByteCount(value);
            if (vlen > MaxValueBytes || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ControlProtocolException($"value of '{key}' is too long or contains NUL");
            }
            payload += key.Length + 1 + vlen + 1;
        }
        if (HeaderSize + payload > MaxMessageBytes)
        {
            throw new ControlProtocolException($"message of {HeaderSize + payload} bytes exceeds {MaxMessageBytes}");
        }
        var buffer = new byte[HeaderSize + payload];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)message.Type);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)payload);
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], (ushort)message.Entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(span[14..], (ushort)fdCount);
        int pos = HeaderSize;
        foreach (var (key, value) in message.Entries)
        {
            pos += Encoding.ASCII.GetBytes(key, span[pos..]);
            span[pos++] = 0;
            pos += Encoding.UTF8.GetBytes(value, span[pos..]);
            span[pos++] = 0;
        }
        return buffer;
    }

    /// <summary>Decodes a received record; <paramref name="fdsReceived"/> must match the header's count.</summary>
    public static ControlMessage Decode(ReadOnlySpan<byte> record, int fdsReceived)
    {
        if (record.Length < HeaderSize)
        {
            throw new ControlProtocolException($"truncated message ({record.Length} bytes, header is {HeaderSize})");
        }
        if (record.Length > MaxMessageBytes)
        {
            throw new ControlProtocolException($"message of {record.Length} bytes exceeds {MaxMessageBytes}");
        }
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(record);
        if (magic != Magic)
        {
            throw new ControlProtocolException($"bad magic 0x{magic:x8} (not a netback control message)");
        }
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(record[4..]);
        if (version != Version)
        {
            throw new ControlProtocolException($"unsupported protocol version {version} (this side speaks {Version})");
        }
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(record[6..]);
        if (type is < (ushort)ControlMessageType.Hello or > (ushort)ControlMessageType.AdminReply)
        {
            throw new ControlProtocolException($"unknown message type {type}");
        }
        uint payload = BinaryPrimitives.ReadUInt32LittleEndian(record[8..]);
        if (payload != record.Length - HeaderSize)
        {
            throw new ControlProtocolException($"payload length {payload} does not match the record ({record.Length - HeaderSize} bytes)");
        }
        int entries = BinaryPrimitives.ReadUInt16LittleEndian(record[12..]);
        if (entries > MaxEntries)
        {
            throw new ControlProtocolException($"{entries} entries exceed the limit of {MaxEntries}");
        }
        int fds = BinaryPrimitives.ReadUInt16LittleEndian(record[14..]);
        if (fds != fdsReceived)
        {
            throw new ControlProtocolException($"header announces {fds} fds, {fdsReceived} arrived");
        }
        var message = new ControlMessage((ControlMessageType)type);
        var rest = record[HeaderSize..];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < entries; i++)
        {
            string key = ReadString(ref rest, MaxKeyBytes, ascii: true);
            ValidateKey(key);
            string value = ReadString(ref rest, MaxValueBytes, ascii: false);
            if (!seen.Add(key))
            {
                throw new ControlProtocolException($"duplicate key '{key}'");
            }
            message.Set(key, value);
        }
        if (!rest.IsEmpty)
        {
            throw new ControlProtocolException($"{rest.Length} bytes after the last entry");
        }
        return message;
    }

    private static string ReadString(ref ReadOnlySpan<byte> rest, int max, bool ascii)
    {
        int nul = rest.IndexOf((byte)0);
        if (nul < 0)
        {
            throw new ControlProtocolException("entry is not NUL-terminated");
        }
        if (nul > max)
        {
            throw new ControlProtocolException($"entry of {nul} bytes exceeds {max}");
        }
        string s;
        try
        {
            s = ascii ? Encoding.ASCII.GetString(rest[..nul]) : new UTF8Encoding(false, true).GetString(rest[..nul]);
        }
        catch (DecoderFallbackException e)
        {
            throw new ControlProtocolException("entry is not valid UTF-8", e);
        }
        rest = rest[(nul + 1)..];
        return s;
    }

    private static void ValidateKey(string key)
    {
        if (key.Length is 0 or > MaxKeyBytes)
        {
            throw new ControlProtocolException($"key length {key.Length} is outside 1..{MaxKeyBytes}");
        }
        foreach (char c in key)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '/' or '_'))
            {
                throw new ControlProtocolException($"key '{ControlMessage.Quote(key)}' has a character outside [a-z0-9-/_]");
            }
        }
    }
}
