using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Netback.RingFlood;

/// <summary>
/// The naive baseline for the ring flood: one <c>send()</c> and one <c>recv()</c> per frame over an
/// AF_UNIX SOCK_SEQPACKET socketpair (what a relay without shared memory pays), a sender and a
/// receiver thread, blocking I/O.
/// </summary>
internal static unsafe class SocketPairBaseline
{
    private static volatile bool s_stop;
    private static long s_received;
    private static long s_receivedBytes;

    public static int Run(FloodOptions options)
    {
        int* sv = stackalloc int[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "socketpair");
        }
        int tx = sv[0], rx = sv[1];
        int size = options.FrameSize;
        var sender = new Thread(() => Send(tx, size)) { Name = "socketpair-send", IsBackground = true };
        var receiver = new Thread(() => Receive(rx, size)) { Name = "socketpair-recv", IsBackground = true };
        receiver.Start();
        sender.Start();

        Thread.Sleep(TimeSpan.FromSeconds(options.WarmupSeconds));
        Snapshot probe = Take(); // what one sample allocates is not the baseline's
        Snapshot start = Take();
        Thread.Sleep(TimeSpan.FromSeconds(options.Seconds));
        Snapshot end = Take();
        s_stop = true;
        sender.Join();
        _ = shutdown(tx, SHUT_WR); // the receiver sees end of stream once the queue is drained
        receiver.Join();
        _ = close(tx);
        _ = close(rx);
        ResultWriter.Write(options, end - start, start.AllocatedBytes - probe.AllocatedBytes, queues: 1, vif: "", tapPresent: false, ringPageOrder: -1, ringSize: 0, RefusedTotals.None);
        return 0;
    }

    private static Snapshot Take() => new(
        Volatile.Read(ref s_received), Volatile.Read(ref s_receivedBytes), 0, 0, 0, 0, 0, 0,
        CpuTime.Self(), double.NaN, GC.GetTotalAllocatedBytes(precise: true), Stopwatch.GetTimestamp());

    private static void Send(int fd, int size)
    {
        byte* frame = stackalloc byte[size];
        new Span<byte>(frame, size).Fill(0x5a);
        while (!s_stop)
        {
            if (send(fd, frame, (size_t)size, 0) < 0 && Marshal.GetLastPInvokeError() != EINTR)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "send");
            }
        }
    }

    private static void Receive(int fd, int size)
    {
        byte* buffer = stackalloc byte[size];
        while (true)
        {
            ssize_t n = recv(fd, buffer, (size_t)size, 0);
            if (n == 0)
            {
                return; // the sender shut down
            }
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == EINTR)
                {
                    continue;
                }
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "recv");
            }
            Volatile.Write(ref s_received, s_received + 1);
            Volatile.Write(ref s_receivedBytes, s_receivedBytes + n);
        }
    }
}
