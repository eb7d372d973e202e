using Netback.Tests.Daemon.DataPath;
using Netback.Tests.Support;
using Ring.Shared.Events;
using Tmds.Linux;

namespace Netback.Tests.Shared.Events;

/// <summary>
/// A kick heard without being read: each write(2) of the frontend is one edge, held as a pending bit
/// by the port's own epoll until harvested; masking the port in the worker's epoll keeps a kick
/// pending and unmasking reports it once. Nothing the frontend does to the counter is a wake-up.
/// </summary>
public sealed class KickPortTests
{
    private const ulong Token = 7;

    [Fact]
    public void Every_write_is_one_kick_and_a_harvest_clears_it()
    {
        using var kick = HostileEventFds.Create();
        using var port = new KickPort(Native.Raw(kick));
        using var worker = new Epoll();
        worker.Add(port.Pending, Epoll.In, Token);
        Assert.Equal(0, Ready(worker));
        for (int i = 0; i < 3; i++)
        {
            HostileEventFds.TryWrite(kick, 1);
            HostileEventFds.TryWrite(kick, 1); // coalesces with the first until harvested
            Assert.Equal(1, Ready(worker));
            Assert.True(port.Harvest());
            Assert.Equal(0, Ready(worker));
            Assert.False(port.Harvest());
        }
        Assert.Equal(6ul, HostileEventFds.TryRead(kick)); // the port never read a single one
    }

    [Fact]
    public void A_huge_count_in_semaphore_mode_is_not_a_wake_up()
    {
        using var kick = HostileEventFds.Create(semaphore: true);
        using var port = new KickPort(Native.Raw(kick));
        using var worker = new Epoll();
        worker.Add(port.Pending, Epoll.In, Token);
        HostileEventFds.TryWrite(kick, 1UL << 62);
        Assert.Equal(1, Ready(worker)); // the write itself
        Assert.True(port.Harvest());
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(0, Ready(worker)); // a level-triggered reader would wake 2^62 times
        }
    }

    [Fact]
    public void A_kick_while_masked_stays_pending_and_is_reported_once_at_unmask()
    {
        using var kick = HostileEventFds.Create();
        using var port = new KickPort(Native.Raw(kick));
        using var worker = new Epoll();
        worker.Add(port.Pending, Epoll.In, Token);
        worker.Modify(port.Pending, 0, Token); // masked
        worker.Modify(port.Pending, Epoll.In, Token);
        Assert.Equal(0, Ready(worker)); // unmasked with nothing pending: no event
        worker.Modify(port.Pending, 0, Token);
        HostileEventFds.TryWrite(kick, 1);
        HostileEventFds.TryWrite(kick, 1);
        Assert.Equal(0, Ready(worker)); // masked: unheard
        worker.Modify(port.Pending, Epoll.In, Token);
        Assert.Equal(1, Ready(worker)); // unmasked: the kick that came meanwhile, once
        Assert.True(port.Harvest());
        Assert.Equal(0, Ready(worker));
    }

    [Fact]
    public void A_frontend_that_reads_its_own_kick_only_silences_it()
    {
        using var kick = HostileEventFds.Create(nonBlocking: false);
        using var port = new KickPort(Native.Raw(kick));
        using var worker = new Epoll();
        worker.Add(port.Pending, Epoll.In, Token);
        HostileEventFds.TryWrite(kick, 1);
        Assert.Equal(1ul, HostileEventFds.TryRead(kick)); // the thief
        Assert.False(port.Harvest()); // nothing left to hear, and nothing blocked
        HostileEventFds.TryWrite(kick, 1);
        Assert.Equal(1, Ready(worker));
        Assert.True(port.Harvest());
    }

    private static int Ready(Epoll epoll)
    {
        Span<epoll_event> events = stackalloc epoll_event[2];
        return epoll.Wait(events, 0);
    }
}
