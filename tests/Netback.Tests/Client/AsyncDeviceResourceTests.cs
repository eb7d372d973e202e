using System.Diagnostics;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// Disposing a <see cref="NetfrontAsyncDevice"/> (with sends waiting, frames unread and frames held)
/// leaves no driver thread, no fd and no pooled buffer behind. Serial: it counts this process's fds
/// and threads.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class AsyncDeviceResourceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int DriverThreads()
    {
        // Managed thread names are the OS thread's comm (truncated to 15 bytes): netfront-q0, netfront-q1, ...
        int n = 0;
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("netfront-q", StringComparison.Ordinal))
                {
                    n++;
                }
            }
            catch (IOException)
            {
                // the thread ended while we looked
            }
        }
        return n;
    }

    private static async Task<(int Buffers, NetfrontFrame Held, int Available)> CycleAsync(InProcessBackend backend)
    {
        var device = NetfrontAsyncDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, Queues = 2 });
        int buffers = device.ReceiveBuffersAvailable;
        Assert.Equal(2, DriverThreads());
        var host = backend.Host(device.Device.VifName);
        // Frames in: one read and held past the device's end, two left unread in the channel.
        for (uint i = 0; i < 3; i++)
        {
            host.Send(Frames.Make(i, 1, 100));
        }
        NetfrontFrame held = await device.Frames.ReadAsync(Ct).AsTask().WaitAsync(Wait, Ct);
        var deadline = Stopwatch.StartNew();
        while (device.ReceiveBuffersAvailable > buffers - 3 && deadline.Elapsed < Wait)
        {
            await Task.Delay(5, Ct);
        }
        await device.SendAsync(Frames.Make(9, 2, 100), Ct);
        await device.DisposeAsync();
        int available = device.ReceiveBuffersAvailable;
        foreach (var end in backend.Taps.HostEnds(device.Device.VifName))
        {
            end.Dispose();
        }
        return (buffers, held, available);
    }

    [Fact]
    public async Task Dispose_leaves_no_thread_fd_or_buffer_behind()
    {
        await using var backend = new InProcessBackend();
        (_, NetfrontFrame warm, _) = await CycleAsync(backend); // the runtime opens some fds lazily
        warm.Dispose();
        Assert.True(backend.WaitForVifCount(0, Wait));
        int baseline = Native.SettledFdCount();

        var (buffers, held, available) = await CycleAsync(backend);

        Assert.Equal(0, DriverThreads());
        // Every buffer but the held frame's is back: the unread ones were returned by Dispose.
        Assert.Equal(buffers - 1, available);
        Assert.Equal(100, held.Length); // still the reader's after the device's end
        held.Dispose();
        Assert.True(backend.WaitForVifCount(0, Wait), "the backend still holds the vif");
        var deadline = Stopwatch.StartNew();
        int fds = Native.SettledFdCount();
        while (fds != baseline && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20, Ct);
            fds = Native.SettledFdCount();
        }
        output.WriteLine($"fds: baseline {baseline}, after a connect/traffic/dispose cycle {fds}; driver threads left {DriverThreads()}");
        Assert.Equal(baseline, fds);
    }
}
