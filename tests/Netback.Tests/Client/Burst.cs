using System.Diagnostics;
using System.Net.Sockets;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// A full-duplex burst on one queue: a host writer and reader thread on the socketpair "TAP" and the
/// frontend driven on the calling thread by a poll loop, every frame checked for content and order.
/// </summary>
internal static class Burst
{
    /// <summary>
    /// Frames of up to <paramref name="maxSize"/> bytes the host may leave unread: the backend end's
    /// SO_SNDBUF over a frame's cost in it (data plus skb overhead), kept under half to be safe.
    /// </summary>
    public static int HostWindow(int maxSize) =>
        Math.Max(8, Netback.Tests.Support.TapSocketPair.BackendSendBuffer / 2 / (maxSize + maxSize / 4 + 1024));

    internal sealed record Result(string? Error, TimeSpan Elapsed, long TxBytes, long RxBytes, long Waits);

    public static Result Run(NetfrontQueue queue, HostTap host, int toGuest, int fromGuest, TimeSpan timeout,
        int minSize = 60, int maxSize = 1514, Action? onWarm = null)
    {
        string? hostError = null;
        long[] hostReceived = new long[1];
        int window = Burst.HostWindow(maxSize);
        long expectedRx = 0;
        long expectedTx = 0;
        for (uint s = 0; s < toGuest; s++)
        {
            expectedRx += Frames.SizeOf(s, minSize, maxSize);
        }
        for (uint s = 0; s < fromGuest; s++)
        {
            expectedTx += Frames.SizeOf(s, minSize, maxSize);
        }
        host.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        host.SendTimeout = (int)timeout.TotalMilliseconds;
        var writer = new Thread(() =>
        {
            byte[] buffer = new byte[maxSize];
            try
            {
                for (uint seq = 0; seq < toGuest; seq++)
                {
                    int size = Frames.SizeOf(seq, minSize, maxSize);
                    host.Send(buffer, 0, Frames.Fill(buffer, seq, 0xA1, size), SocketFlags.None);
                }
            }
            catch (Exception e)
            {
                hostError ??= $"host writer: {e.Message}";
            }
        }) { IsBackground = true, Name = "burst-host-writer" };
        var reader = new Thread(() =>
        {
            byte[] buffer = new byte[65536];
            try
            {
                for (uint seq = 0; seq < fromGuest; seq++)
                {
                    int n = host.Receive(buffer);
                    string? e = Frames.Check(buffer.AsSpan(0, n), seq, 0xB2, Frames.SizeOf(seq, minSize, maxSize));
                    if (e is not null)
                    {
                        hostError ??= $"host reader: {e}";
                        return;
                    }
                    Volatile.Write(ref hostReceived[0], seq + 1);
                }
            }
            catch (Exception e)
            {
                hostError ??= $"host reader: {e.Message}";
            }
        }) { IsBackground = true, Name = "burst-host-reader" };

        var clock = Stopwatch.StartNew();
        writer.Start();
        reader.Start();
        byte[] frame = new byte[maxSize];
        string? error = Drive(queue, frame, toGuest, fromGuest, 0xA1, 0xB2, minSize, maxSize, timeout, out long waits,
            hostProgress: hostReceived, window: window);
        bool joined = writer.Join(timeout) & reader.Join(timeout);
        clock.Stop();
        error ??= hostError ?? (joined ? null : "the host threads did not finish");
        return new Result(error, clock.Elapsed, expectedTx, expectedRx, waits);
    }

    /// <summary>
    /// The frontend's loop: reclaim, send what fits, push, receive what arrived; when nothing moved,
    /// the final checks and then poll(2) on the call fds. Allocation-free (the caller owns
    /// <paramref name="frame"/>); returns an error text or null.
    /// </summary>
    public static string? Drive(NetfrontQueue queue, byte[] frame, int toGuest, int fromGuest, byte rxStream, byte txStream,
        int minSize, int maxSize, TimeSpan timeout, out long waits, uint first = 0, long[]? hostProgress = null, int window = 0)
    {
        // Frames are numbered from first: toGuest and fromGuest count from there.
        waits = 0;
        uint sent = first;
        uint received = first;
        toGuest += (int)first;
        fromGuest += (int)first;
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        int nextSize = fromGuest > first ? Frames.Fill(frame, first, txStream, Frames.SizeOf(first, minSize, maxSize)) : 0;
        while (sent < fromGuest || received < toGuest)
        {
            bool progress = queue.ReclaimTxResponses() > 0;
            // The host end is a socket with a bounded buffer where a real TAP has the kernel's stack:
            // keep at most `window` frames unread by the host (its reader's count, or ours for a reflector).
            long hostDone = hostProgress is null ? received : Volatile.Read(ref hostProgress[0]);
            bool windowFull = window > 0 && sent - hostDone >= window;
            while (sent < fromGuest && !windowFull && queue.TrySend(frame.AsSpan(0, nextSize)))
            {
                progress = true;
                sent++;
                windowFull = window > 0 && sent - hostDone >= window;
                if (sent < fromGuest)
                {
                    nextSize = Frames.Fill(frame, sent, txStream, Frames.SizeOf(sent, minSize, maxSize));
                }
            }
            queue.PushTransmits();
            int budget = 64;
            while (budget-- > 0 && queue.TryReceive(out var rx))
            {
                progress = true;
                if (received >= toGuest)
                {
                    return $"an extra frame arrived after {toGuest}";
                }
                string? e = Frames.Check(rx, received, rxStream, Frames.SizeOf(received, minSize, maxSize));
                if (e is not null)
                {
                    return $"guest: {e}";
                }
                received++;
            }
            if (progress)
            {
                continue;
            }
            // Nothing moved: arm the events and look once more before sleeping (ring.h FINAL_CHECK).
            bool rxWork = queue.FinalCheckForRxResponses();
            bool txWork = sent < fromGuest && queue.FinalCheckForTxResponses();
            if (rxWork || txWork)
            {
                continue;
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return $"timed out: sent {sent}/{fromGuest}, received {received}/{toGuest}, TX in flight {queue.TxInFlight}";
            }
            waits++;
            // Host progress does not signal a call fd: look again soon while the window is what stops TX.
            FrontendDriver.WaitForCall(queue, windowFull ? 1 : 200);
        }
        return null;
    }
}
