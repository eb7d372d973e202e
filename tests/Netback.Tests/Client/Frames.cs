using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// Deterministic test frames: frame <c>seq</c> has a size from 60..<c>max</c> derived from the seq,
/// the seq in its first 4 bytes and a pattern after it, so a receiver checks content, order and loss
/// without keeping copies.
/// </summary>
internal static class Frames
{
    public static int SizeOf(uint seq, int min = 60, int max = 1514)
    {
        uint h = seq * 2654435761u;
        h ^= h >> 15;
        return min + (int)(h % (uint)(max - min + 1));
    }

    public static int Fill(Span<byte> buffer, uint seq, byte stream, int size)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(buffer, seq);
        buffer[4] = stream;
        for (int i = 5; i < size; i++)
        {
            buffer[i] = (byte)(seq * 31 + (uint)i * 7 + stream);
        }
        return size;
    }

    /// <summary>Null when <paramref name="frame"/> is frame <paramref name="seq"/>; otherwise what differs.</summary>
    public static string? Check(ReadOnlySpan<byte> frame, uint seq, byte stream, int size)
    {
        uint got = frame.Length >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame) : uint.MaxValue;
        if (frame.Length != size)
        {
            return $"frame {seq}: {frame.Length} bytes, expected {size} (it carries seq {got}, stream {(frame.Length > 4 ? frame[4] : -1)})";
        }
        if (got != seq)
        {
            return $"frame {seq} expected, frame {got} arrived (lost or reordered)";
        }
        if (frame[4] != stream)
        {
            return $"frame {seq}: stream {frame[4]}, expected {stream}";
        }
        for (int i = 5; i < size; i++)
        {
            if (frame[i] != (byte)(seq * 31 + (uint)i * 7 + stream))
            {
                return $"frame {seq}: byte {i} differs";
            }
        }
        return null;
    }

    public static byte[] Make(uint seq, byte stream, int size)
    {
        byte[] b = new byte[size];
        Fill(b, seq, stream, size);
        return b;
    }
}
