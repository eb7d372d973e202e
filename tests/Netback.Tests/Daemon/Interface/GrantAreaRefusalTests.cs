using System.Text;
using Microsoft.Extensions.Logging;
using Netback.Tests.Support;
using Ring.Shared.Control;
using Ring.Shared.Interop;
using Ring.Shared.Memory;
using static Tmds.Linux.LibC;

namespace Netback.Tests.Daemon.Interface;

/// <summary>
/// Connects whose grant area or eventfd must be refused: the refusal names the reason (never an
/// "internal error"), and the backend's copy of every refused fd is closed before the Error is sent,
/// not left to a finalizer. Counted by name in /proc/self/fd, so no GC is forced and tests running
/// in parallel do not move the count.
/// </summary>
public sealed class GrantAreaRefusalTests
{
    private const uint MFD_HUGETLB = 0x0004;
    private const int F_SEAL_WRITE = 0x0008;
    private const int F_SEAL_FUTURE_WRITE = 0x0010;
    private const int HugePages = 512; // one 2 MiB huge page of 4 KiB grant pages

    [Theory]
    [InlineData("unsealed", "lacks required seals")]
    [InlineData("write-sealed", "write")]
    [InlineData("future-write-sealed", "write")]
    [InlineData("wrong-size", "bytes")]
    [InlineData("hugetlbfs", "hugetlbfs")]
    [InlineData("not-an-eventfd", "not an eventfd")]
    public async Task A_refused_fd_is_closed_before_the_error_and_the_reason_is_clear(string scenario, string reason)
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Open(backend.SocketPath);
        string name = $"refused-{scenario}-{Guid.NewGuid():N}"[..40];
        var connect = HostileFrontend.StandardConnect();
        var fds = f.StandardFds();
        long size = (long)HostileFrontend.GrantPages * GrantArea.PageSize;
        using var bad = scenario switch
        {
            "unsealed" => Memfd(name, size, 0),
            "write-sealed" => Memfd(name, size, GrantArea.RequiredSeals | F_SEAL_WRITE),
            "future-write-sealed" => Memfd(name, size, GrantArea.RequiredSeals | F_SEAL_FUTURE_WRITE),
            "wrong-size" => Memfd(name, size + GrantArea.PageSize, GrantArea.RequiredSeals),
            "hugetlbfs" => HugeMemfd(name),
            "not-an-eventfd" => Memfd(name, GrantArea.PageSize, 0),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };
        if (scenario == "hugetlbfs")
        {
            connect.Set(XenbusKeys.GrantPages, HugePages);
        }
        fds[scenario == "not-an-eventfd" ? 1 : 0] = bad;
        Assert.Equal(1, Links(name));

        f.SendConnect(connect, fds);
        var reply = f.ReceiveControl();

        // Right after the refusal, without a GC: only the test's own fd is left.
        Assert.Equal(1, Links(name));
        Assert.Equal(ControlMessageType.Error, reply.Type);
        string text = reply.Get(XenbusKeys.Reason) ?? "";
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", text, StringComparison.Ordinal);
        var errors = backend.Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message).ToArray();
        Assert.True(errors.Length == 0, string.Join('\n', errors));
        Assert.Equal(0, backend.Registry.Count);
    }

    [Fact]
    public async Task Eventfds_taken_before_a_later_refusal_are_closed_before_the_error()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Open(backend.SocketPath);
        string name = $"refused-rx-call-{Guid.NewGuid():N}"[..40];
        using var notAnEventfd = Memfd(name, GrantArea.PageSize, 0);
        var fds = f.StandardFds();
        fds[4] = notAnEventfd; // the RX call: the memfd and three eventfds are taken before it is refused
        string[] ids = [EventfdId(fds[1]), EventfdId(fds[2]), EventfdId(fds[3])];
        Assert.All(ids, id => Assert.Equal(1, EventfdLinks(id)));

        f.SendConnect(HostileFrontend.StandardConnect(), fds);
        var reply = f.ReceiveControl();

        Assert.Equal(ControlMessageType.Error, reply.Type);
        Assert.Contains("not an eventfd", reply.Get(XenbusKeys.Reason) ?? "", StringComparison.Ordinal);
        Assert.All(ids, id => Assert.Equal(1, EventfdLinks(id))); // the backend's copies are closed, no GC needed
        Assert.Equal(1, Links(name));
    }

    /// <summary>The eventfd-id of an eventfd (in its fdinfo since Linux 6.x): what tells two eventfds apart.</summary>
    private static string EventfdId(FileDescriptorHandle fd)
    {
        string? line = File.ReadLines($"/proc/self/fdinfo/{Native.Raw(fd)}").FirstOrDefault(l => l.StartsWith("eventfd-id:", StringComparison.Ordinal));
        if (line is null)
        {
            Assert.Skip("this kernel's fdinfo has no eventfd-id");
        }
        return line.Trim();
    }

    /// <summary>How many of this process's fds are the eventfd with <paramref name="id"/>.</summary>
    private static int EventfdLinks(string id) =>
        Directory.GetFiles("/proc/self/fdinfo").Count(fd =>
        {
            try
            {
                return File.ReadLines(fd).Any(l => l.Trim() == id);
            }
            catch (IOException)
            {
                return false;
            }
        });

    /// <summary>How many of this process's fds are the memfd called <paramref name="name"/>.</summary>
    private static int Links(string name) =>
        Directory.GetFiles("/proc/self/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget?.Contains(name, StringComparison.Ordinal) ?? false;
            }
            catch (IOException)
            {
                return false;
            }
        });

    private static unsafe FileDescriptorHandle Memfd(string name, long size, int seals, uint flags = Native.MFD_ALLOW_SEALING)
    {
        byte[] n = Encoding.ASCII.GetBytes(name + "\0");
        int fd;
        fixed (byte* p = n)
        {
            fd = memfd_create(p, Native.MFD_CLOEXEC | flags);
        }
        if (fd < 0)
        {
            Assert.Skip($"memfd_create({name}, 0x{flags:x}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
        var handle = new FileDescriptorHandle(fd);
        Native.Check(ftruncate(fd, size), "ftruncate");
        if (seals != 0)
        {
            Native.Check(fcntl(fd, F_ADD_SEALS, seals), "F_ADD_SEALS");
        }
        return handle;
    }

    /// <summary>A sealed 2 MiB memfd on hugetlbfs: it needs no huge page until someone maps it.</summary>
    private static FileDescriptorHandle HugeMemfd(string name) =>
        Memfd(name, (long)HugePages * GrantArea.PageSize, GrantArea.RequiredSeals, Native.MFD_ALLOW_SEALING | MFD_HUGETLB);
}
