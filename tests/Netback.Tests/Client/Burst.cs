using System.Diagnostics;
using System.Net.Sockets;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// A full-duplex burst on one queue: a host writer and reader thread on the socketpair "TAP" and the
/// frontend driven on the calling thread by the library's queue driver (<see cref="BurstWork"/>),
/// every frame checked for content and order.
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
        int minSize = 60, int maxSize = 1514, bool zeroCopy = false)
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
            hostProgress: hostReceived, window: window, zeroCopy: zeroCopy);
        bool joined = writer.Join(timeout) & reader.Join(timeout);
        clock.Stop();
        error ??= hostError ?? (joined ? null : "the host threads did not finish");
        return new Result(error, clock.Elapsed, expectedTx, expectedRx, waits);
    }

    /// <summary>
    /// The frontend's side of a burst on the calling thread: the library's queue driver running a
    /// <see cref="BurstWork"/>. Returns an error text or null.
    /// </summary>
    public static string? Drive(NetfrontQueue queue, byte[] frame, int toGuest, int fromGuest, byte rxStream, byte txStream,
        int minSize, int maxSize, TimeSpan timeout, out long waits, uint first = 0, long[]? hostProgress = null, int window = 0, bool zeroCopy = false)
    {
        var work = new BurstWork(queue, frame, toGuest, fromGuest, rxStream, txStream, minSize, maxSize, timeout, first, hostProgress, window, zeroCopy);
        using var driver = new NetfrontQueueDriver<BurstWork>(queue, work);
        return Drive(driver, work, out waits);
    }

    /// <summary>
    /// <see cref="Drive(NetfrontQueue, byte[], int, int, byte, byte, int, int, TimeSpan, out long, uint, long[], int, bool)"/>
    /// on a driver the caller keeps (so that a measurement of this thread's allocations covers the
    /// burst, not the driver's construction).
    /// </summary>
    public static string? Drive(NetfrontQueueDriver<BurstWork> driver, BurstWork work, out long waits)
    {
        driver.Work = work;
        driver.Run();
        waits = driver.Work.Waits;
        return driver.Work.Error;
    }
}
