using System.Diagnostics;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// One frame at a time on a <see cref="NetfrontQueue"/>, on the test's thread, through the library's
/// <see cref="NetfrontQueueDriver{TWork}"/> (its loop, final checks and sleeps: no copy of them here)
/// with a work that ends after the frame: <see cref="SendOneWork"/>, <see cref="ReceiveOneWork"/>,
/// <see cref="ReclaimWork"/>.
/// </summary>
internal static class FrontendDriver
{
    /// <summary>Receives one frame on <paramref name="queue"/> (a copy), sleeping on the call fd between looks.</summary>
    public static byte[] ReceiveOne(NetfrontQueue queue, TimeSpan timeout)
    {
        using var driver = new NetfrontQueueDriver<ReceiveOneWork>(queue, new ReceiveOneWork(queue.Index, timeout));
        driver.Run();
        return driver.Work.Frame!;
    }

    /// <summary>Sends one frame on <paramref name="queue"/>, sleeping for TX slots when the ring is full.</summary>
    public static void SendOne(NetfrontQueue queue, ReadOnlyMemory<byte> frame, TimeSpan timeout)
    {
        using var driver = new NetfrontQueueDriver<SendOneWork>(queue, new SendOneWork(frame, timeout));
        driver.Run();
    }

    /// <summary>Waits until the backend has answered every TX slot in flight on <paramref name="queue"/>.</summary>
    public static void ReclaimAll(NetfrontQueue queue, TimeSpan timeout)
    {
        using var driver = new NetfrontQueueDriver<ReclaimWork>(queue, new ReclaimWork(queue, timeout));
        driver.Run();
    }

    /// <summary>A work's sleep before <paramref name="deadline"/> (a Stopwatch timestamp): at most 200 ms; past it, a TimeoutException.</summary>
    public static int SleepUntil(long deadline, string timeoutMessage)
    {
        long left = (long)Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline).TotalMilliseconds;
        if (left <= 0)
        {
            throw new TimeoutException(timeoutMessage);
        }
        return (int)Math.Min(left, 200);
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
