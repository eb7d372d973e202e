using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Netback.Tests.Support;
using Ring.Shared.Control;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Hosting;

/// <summary>
/// accept() failing in a storm (here EMFILE: RLIMIT_NOFILE lowered under the in-process listener
/// while connections wait) is logged as rate-limited Warnings with the errno's text and no stack
/// trace, does not spin the thread, and serving resumes once fds are back. Serial: the limit is the
/// whole process's.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed partial class AcceptFailureTests
{
    [Fact]
    public async Task Running_out_of_fds_at_accept_is_a_few_warnings_with_the_errno_no_stack_and_no_spin()
    {
        using var journal = new JournalCapture();
        await using var backend = new InProcessBackend(alsoLogTo: journal);
        using (var warm = Healthy(backend))
        {
            AssertPassesFramesBothWays(backend, warm, 0x11);
        }
        Assert.True(backend.WaitForVifCount(0, Patience));
        int entriesBefore = backend.Logs.Entries.Count;
        string acceptThread = ProcessThreads.Names().Single(n => n is "xenbus" or "xenbus-accept");

        // The clients' sockets exist before the limit drops: connect() takes no new fd, accept() does.
        var clients = Enumerable.Range(0, 3).Select(_ => new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified)).ToList();
        var saved = FdLimit.Get();
        // Read outside the window: opening /proc takes an fd too.
        long cpuBefore = ProcessThreads.CpuTicks(acceptThread);
        try
        {
            FdLimit.Set(saved with { Current = (ulong)LowestFreeFd() });
            foreach (var c in clients)
            {
                c.Connect(new UnixDomainSocketEndPoint(backend.SocketPath)); // queued in the backlog
            }
            Thread.Sleep(TimeSpan.FromSeconds(2));
        }
        finally
        {
            FdLimit.Set(saved);
        }

        long cpuAfter = ProcessThreads.CpuTicks(acceptThread);

        var storm = backend.Logs.Entries.Skip(entriesBefore).ToList();
        string all = string.Join('\n', storm.Select(e => $"{e.Level} {e.Id.Id}: {e.Message}"));

        // Serving resumes: the waiting connections get their Hello once fds are back.
        foreach (var c in clients)
        {
            using var channel = new ControlChannel(c);
            ControlMessage? first = null;
            try
            {
                using var r = channel.Receive(TimeSpan.FromSeconds(5));
                first = r.Message;
            }
            catch (ControlChannelClosedException)
            {
            }
            Assert.True(first?.Type == ControlMessageType.Hello, $"a waiting connection got {first?.ToString() ?? "closed"} once fds were back\n{all}");
        }

        Assert.DoesNotContain(storm, e => e.Level >= LogLevel.Error);
        var warnings = storm.Where(e => e.Level == LogLevel.Warning).ToList();
        Assert.NotEmpty(warnings);
        Assert.InRange(warnings.Count, 1, 13); // a burst of 10, then one a second
        Assert.Contains("Too many open files", warnings[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", journal.Text(), StringComparison.Ordinal);
        Assert.True(cpuAfter - cpuBefore <= 20, $"the accepting thread used {(cpuAfter - cpuBefore) * 10} ms of CPU in 2 s of EMFILE\n{all}");

        using var after = Healthy(backend);
        AssertPassesFramesBothWays(backend, after, 0x12);
    }

    /// <summary>The fd number the next open would get: with the limit there, every new fd fails with EMFILE.</summary>
    private static int LowestFreeFd()
    {
        using var probe = File.OpenHandle("/dev/null");
        return (int)probe.DangerousGetHandle();
    }
}
