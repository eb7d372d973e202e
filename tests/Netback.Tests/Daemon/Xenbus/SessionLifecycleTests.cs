using Ring.Shared.Abi;
using Ring.Shared.Control;
using Netback.Tests.Support;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// A frontend that goes away after Connected: its vif is released and every fd and thread the
/// backend made for it is gone. A session has no thread of its own (the xenbus loop and its workers
/// serve them all): while Connected the vif's worker is the only thread it adds. Counts this
/// process's fds and threads, so it runs alone.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SessionLifecycleTests
{
    public enum Leave
    {
        SaysClosing,
        JustCloses,
        FatalError,
    }

    [Theory]
    [InlineData(Leave.SaysClosing)]
    [InlineData(Leave.JustCloses)]
    [InlineData(Leave.FatalError)]
    public async Task A_frontend_leaving_after_Connected_releases_its_vif_fds_and_threads(Leave how)
    {
        await using var backend = new InProcessBackend();

        // One full cycle first, so whatever the runtime creates lazily (sockets, thread pool, logging)
        // is part of the baseline, not counted as a leak.
        RunSession(backend, Leave.SaysClosing, checkThreads: false);

        int fdBaseline = Native.SettledFdCount();
        int threadBaseline = ThreadCount();
        int controlPlaneThreads = ControlPlaneThreads();

        RunSession(backend, how, checkThreads: true, controlPlaneThreads);

        bool settled = Eventually(() => Native.SettledFdCount() == fdBaseline && ThreadCount() == threadBaseline, TimeSpan.FromSeconds(2));
        Assert.True(settled,
            $"fds {Native.OpenFdCount()} (baseline {fdBaseline}), threads {ThreadCount()} (baseline {threadBaseline}): " +
            string.Join(", ", ThreadNames()));
        Assert.DoesNotContain(ThreadNames(), n => n.StartsWith("vif", StringComparison.Ordinal));
        Assert.Equal(controlPlaneThreads, ControlPlaneThreads());
    }

    /// <summary>The xenbus loop and its workers: a fixed set, not one per session.</summary>
    private static int ControlPlaneThreads() => ThreadNames().Count(n => n.StartsWith("xenbus", StringComparison.Ordinal));

    private static void RunSession(InProcessBackend backend, Leave how, bool checkThreads, int controlPlaneThreads = 0)
    {
        string vif;
        using (var f = HostileFrontend.Connect(backend.SocketPath))
        {
            vif = f.VifName;
            Assert.True(backend.WaitForVifCount(1, Patience));
            var host = backend.Host(vif);
            byte[] frame = Frame(80, 0x7a);
            Assert.Equal(NetifStatus.Okay, f.SendFrame(frame, id: 1).Status);
            Assert.Equal(frame, ReceiveFromHost(host));
            if (checkThreads)
            {
                // The vif's worker exists while Connected (named as the daemon names it); the session adds no thread.
                Assert.Contains(ThreadNames(), n => n == $"{vif}-q0");
                Assert.Equal(controlPlaneThreads, ControlPlaneThreads());
            }
            switch (how)
            {
                case Leave.SaysClosing:
                    f.Channel.Send(new ControlMessage(ControlMessageType.State) { State = XenbusState.Closing });
                    Assert.True(f.WaitForEof());
                    break;
                case Leave.JustCloses:
                    break; // Dispose closes the socket
                case Leave.FatalError:
                    f.ProduceTx(0, 0, NetTxFlags.None, 2, 60); // gref 0: a ring page
                    f.PushTx();
                    Assert.Equal(XenbusState.Closing, f.ReceiveControl().State);
                    Assert.True(f.WaitForEof());
                    break;
            }
        }
        Assert.True(backend.WaitForVifCount(0, TimeSpan.FromSeconds(2)), AllLogs(backend));
        // The "TAP"'s host end is the test's own fd: the backend closed its end, the test closes this one.
        var hostEnd = backend.Host(vif);
        hostEnd.ReceiveTimeout = (int)Patience.TotalMilliseconds;
        Assert.Equal(0, hostEnd.Receive(new byte[2048])); // EOF: the backend's end is closed
        hostEnd.Dispose();
    }

    private static int ThreadCount()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                return int.Parse(line.AsSpan(8).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException("no Threads: line in /proc/self/status");
    }

    private static string[] ThreadNames()
    {
        var names = new List<string>();
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                names.Add(File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'));
            }
            catch (IOException)
            {
                // the thread exited meanwhile
            }
        }
        return names.ToArray();
    }
}
