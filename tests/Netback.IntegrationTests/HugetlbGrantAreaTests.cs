using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Netback.IntegrationTests.Support;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Rings;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Netback.IntegrationTests;

/// <summary>
/// A grant area on hugetlbfs passes every check a memfd is put to (regular file, seals, size), yet
/// its pages can vanish under the daemon: the frontend punches a hole, takes the freed huge pages
/// for itself, and the worker's next read of the ring faults with nothing to fault in (SIGBUS). The
/// daemon runs as a real process here, so such a SIGBUS shows as a dead daemon. Needs root (to give
/// the machine a huge page for the test: vm.nr_hugepages, restored afterwards whatever happens).
/// </summary>
public sealed class HugetlbGrantAreaTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private const string NrHugePages = "/proc/sys/vm/nr_hugepages";
    private const uint MFD_HUGETLB = 0x0004;
    private const int MAP_HUGETLB = 0x40000;
    private const int FALLOC_FL_KEEP_SIZE = 0x01;
    private const int FALLOC_FL_PUNCH_HOLE = 0x02;
    private const int HugePageBytes = 2 << 20;
    private const int GrantPages = HugePageBytes / NetifLimits.PageSize;

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task A_hugetlbfs_grant_area_is_refused_and_a_hole_punch_cannot_kill_the_daemon()
    {
        Testbed bed = await CreateTestbedAsync();
        if (!File.Exists(NrHugePages) || !File.Exists("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"))
        {
            Assert.Skip("no 2 MiB huge pages on this kernel");
        }
        string saved = File.ReadAllText(NrHugePages).Trim();
        try
        {
            int before = int.Parse(saved, CultureInfo.InvariantCulture);
            File.WriteAllText(NrHugePages, (before + 1).ToString(CultureInfo.InvariantCulture));
            if (FreeHugePages() < 1)
            {
                Assert.Skip($"could not get a free huge page (vm.nr_hugepages {before} -> {File.ReadAllText(NrHugePages).Trim()})");
            }
            ChildProcess daemon = await bed.StartDaemonAsync(Ct);
            ControlMessage reply = Attack(bed.SocketPath);
            Assert.False(daemon.HasExited, $"netbackd died (exit code {(daemon.HasExited ? daemon.ExitCode : 0)}: 134 is the runtime aborting on a SIGBUS, 135 a plain SIGBUS)\n{daemon.Describe()}");
            Assert.Equal(ControlMessageType.Error, reply.Type);
            Assert.Contains("hugetlbfs", reply.Get(XenbusKeys.Reason) ?? "", StringComparison.Ordinal);

            // Still serving: a real frontend attaches and passes traffic.
            string net = bed.Subnet(0);
            Frontend front = await bed.AttachAsync(bed.Guests[0], $"{net}.2/24", Ct);
            await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);
            await bed.PingAsync(bed.Guests[0], $"{net}.1", Ct);
            Assert.False(daemon.HasExited, $"netbackd exited\n{daemon.Describe()}");
        }
        finally
        {
            File.WriteAllText(NrHugePages, saved);
            Output.WriteLine($"vm.nr_hugepages restored to {File.ReadAllText(NrHugePages).Trim()}");
        }
    }

    /// <summary>
    /// Connects with a sealed 2 MiB hugetlbfs memfd. Whatever the answer, punches the page out,
    /// takes every free huge page and kicks: a daemon that mapped the area reads its ring page next.
    /// </summary>
    private unsafe ControlMessage Attack(string socketPath)
    {
        using var channel = ControlChannel.Connect(socketPath);
        using (var hello = channel.Receive(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(ControlMessageType.Hello, hello.Message.Type);
        }
        using var area = HugeMemfd("hostile-huge");
        int fd = (int)area.DangerousGetHandle();
        byte* map = (byte*)mmap(null, HugePageBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        Assert.True(map != MAP_FAILED, $"mmap of the hugetlbfs memfd failed: errno {Marshal.GetLastPInvokeError()}");
        var channels = Enumerable.Range(0, 4).Select(_ => EventChannel.Create()).ToArray();
        void* taken = MAP_FAILED;
        nuint takenBytes = 0;
        try
        {
            new FrontRing<NetifTxRequest, NetifTxResponse>(map, RingGeometry.For(RingKind.Tx, RingLayout.Xen, 0)).Init();
            new FrontRing<NetifRxRequest, NetifRxResponse>(map + NetifLimits.PageSize, RingGeometry.For(RingKind.Rx, RingLayout.Xen, 0)).Init();
            channel.Send(Connect(), [area, .. channels.Select(c => c.Handle)]);
            ControlMessage reply;
            using (var r = channel.Receive(TimeSpan.FromSeconds(10)))
            {
                reply = r.Message;
            }
            Output.WriteLine($"reply to the hugetlbfs Connect: {reply}");

            // The attack, whatever the reply: the page goes back to the pool, the frontend takes the
            // pool, and a kick sends the worker (if any) to its ring page.
            Assert.Equal(0, munmap(map, HugePageBytes));
            map = null;
            Assert.Equal(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, HugePageBytes));
            int free = FreeHugePages();
            if (free > 0)
            {
                takenBytes = (nuint)free * HugePageBytes;
                taken = mmap(null, (size_t)(ulong)takenBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
            }
            Output.WriteLine($"hole punched; {free} free huge page(s) taken by the frontend ({(taken == MAP_FAILED ? "failed" : "ok")}), {FreeHugePages()} left");
            channels[0].Notify();
            channels[2].Notify();
            Thread.Sleep(TimeSpan.FromSeconds(2));
            return reply;
        }
        finally
        {
            if (map != null)
            {
                _ = munmap(map, HugePageBytes);
            }
            if (taken != MAP_FAILED)
            {
                _ = munmap(taken, (size_t)(ulong)takenBytes);
            }
            foreach (var c in channels)
            {
                c.Dispose();
            }
        }
    }

    private static ControlMessage Connect()
    {
        var m = new ControlMessage(ControlMessageType.Connect) { State = XenbusState.Connected };
        m.Set(XenbusKeys.MultiQueueNumQueues, 1);
        m.Set(XenbusKeys.RingPageOrder, 0);
        m.Set(XenbusKeys.RingLayout, RingLayoutNames.Xen);
        m.Set(XenbusKeys.RequestRxCopy, true);
        m.Set(XenbusKeys.FeatureRxNotify, true);
        m.Set(XenbusKeys.GrantPages, GrantPages);
        m.Set(XenbusKeys.DataPageFirst, 2);
        m.Set(XenbusKeys.GrantAreaFd, 0);
        m.Set(XenbusKeys.TxRingRef, 0);
        m.Set(XenbusKeys.RxRingRef, 1);
        m.Set(XenbusKeys.EventChannelTx, "1,2");
        m.Set(XenbusKeys.EventChannelRx, "3,4");
        return m;
    }

    private static unsafe FileDescriptorHandle HugeMemfd(string name)
    {
        byte[] n = Encoding.ASCII.GetBytes(name + "\0");
        int fd;
        fixed (byte* p = n)
        {
            fd = memfd_create(p, 0x0001 /* MFD_CLOEXEC */ | 0x0002 /* MFD_ALLOW_SEALING */ | MFD_HUGETLB);
        }
        Assert.True(fd >= 0, $"memfd_create(MFD_HUGETLB) failed: errno {Marshal.GetLastPInvokeError()}");
        var handle = new FileDescriptorHandle(fd);
        Assert.Equal(0, ftruncate(fd, HugePageBytes));
        Assert.Equal(0, fcntl(fd, F_ADD_SEALS, 0x1 | 0x2 | 0x4)); // SEAL | SHRINK | GROW
        return handle;
    }

    private static int FreeHugePages() =>
        int.Parse(File.ReadAllText("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages").Trim(), CultureInfo.InvariantCulture);
}
