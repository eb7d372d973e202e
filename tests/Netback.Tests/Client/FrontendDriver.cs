using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// Drives one <see cref="NetfrontQueue"/> the way a guest's poll loop does: TX with
/// TrySend/PushTransmits/ReclaimTxResponses, RX with TryReceive, and sleeping in poll(2) on the
/// queue's call eventfds after the ring.h final checks (no spinning). Nothing here allocates per
/// frame, so the no-allocation test can use it as is.
/// </summary>
internal static unsafe class FrontendDriver
{
    private const short POLLIN = 0x001;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int SysPoll(PollFd* fds, nuint nfds, int timeoutMs);

    /// <summary>
    /// Sleeps until a call eventfd of <paramref name="queue"/> is readable or <paramref name="timeoutMs"/>
    /// passes; false on timeout. Drains whatever it woke for.
    /// </summary>
    public static bool WaitForCall(NetfrontQueue queue, int timeoutMs)
    {
        PollFd* fds = stackalloc PollFd[2];
        fds[0] = new PollFd { Fd = queue.RxCallFd, Events = POLLIN };
        fds[1] = new PollFd { Fd = queue.TxCallFd, Events = POLLIN };
        nuint n = queue.TxCallFd == queue.RxCallFd ? 1u : 2u;
        int rc;
        do
        {
            rc = SysPoll(fds, n, timeoutMs);
        }
        while (rc < 0 && Marshal.GetLastPInvokeError() == 4 /* EINTR */);
        if (rc < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "poll");
        }
        queue.DrainRxCall();
        if (n == 2)
        {
            queue.DrainTxCall();
        }
        return rc > 0;
    }

    /// <summary>Receives one frame on <paramref name="queue"/> (a copy), sleeping on the call fd between looks.</summary>
    public static byte[] ReceiveOne(NetfrontQueue queue, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (queue.TryReceive(out var frame))
            {
                return frame.ToArray();
            }
            if (queue.FinalCheckForRxResponses())
            {
                continue;
            }
            int left = (int)(deadline - DateTime.UtcNow).TotalMilliseconds;
            if (left <= 0)
            {
                throw new TimeoutException($"queue {queue.Index} received no frame within {timeout.TotalSeconds:0.#} s");
            }
            WaitForCall(queue, Math.Min(left, 200));
        }
    }

    /// <summary>Sends one frame on <paramref name="queue"/>, reclaiming TX slots (and sleeping for them) when the ring is full.</summary>
    public static void SendOne(NetfrontQueue queue, ReadOnlySpan<byte> frame, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        queue.ReclaimTxResponses();
        while (!queue.TrySend(frame))
        {
            if (queue.ReclaimTxResponses() > 0 || queue.FinalCheckForTxResponses())
            {
                continue;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"queue {queue.Index} got no TX slot back within {timeout.TotalSeconds:0.#} s");
            }
            WaitForCall(queue, 200);
        }
        queue.PushTransmits();
    }

    /// <summary>Receives one frame from the host end of a "TAP", failing after <paramref name="timeout"/>.</summary>
    public static byte[] HostReceive(HostTap host, TimeSpan timeout)
    {
        host.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        byte[] buffer = new byte[65536];
        int n = host.Receive(buffer);
        return buffer.AsSpan(0, n).ToArray();
    }
}

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
