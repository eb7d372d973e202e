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
