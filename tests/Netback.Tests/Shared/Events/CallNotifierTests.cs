using Netback.Tests.Daemon.DataPath;
using Netback.Tests.Support;
using Ring.Shared.Events;
using Ring.Shared.Interop;

namespace Netback.Tests.Shared.Events;

/// <summary>
/// The backend's call notifiers: each adds one to the frontend's eventfd per signal, and the two the
/// daemon prefers (io_uring, AIO) never block, whatever the frontend did to the description it shares:
/// cleared O_NONBLOCK, a counter filled to 2^64-2, semaphore mode. The write(2) fallback does not
/// promise that; its test shows what it does promise.
/// </summary>
public sealed class CallNotifierTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    public static TheoryData<NotifyMechanism> All => [NotifyMechanism.IoUring, NotifyMechanism.Aio, NotifyMechanism.Write];

    public static TheoryData<NotifyMechanism> Safe => [NotifyMechanism.IoUring, NotifyMechanism.Aio];

    [Theory]
    [MemberData(nameof(All))]
    public void Each_signal_adds_one_to_the_frontends_counter(NotifyMechanism mechanism)
    {
        using var call = HostileEventFds.Create();
        using var notifier = Make(call, mechanism);
        Assert.Equal(mechanism, notifier.Mechanism);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(notifier.Signal());
        }
        Assert.Equal(100ul, HostileEventFds.TryRead(call));
        Assert.True(notifier.Signal());
        Assert.Equal(1ul, HostileEventFds.TryRead(call));
    }

    [Theory]
    [MemberData(nameof(Safe))]
    public void A_blocking_description_with_a_full_counter_does_not_block_a_signal(NotifyMechanism mechanism)
    {
        using var call = HostileEventFds.Create();
        using var notifier = Make(call, mechanism);
        Assert.True(HostileEventFds.TryWrite(call, HostileEventFds.FullCounter));
        HostileEventFds.SetNonBlocking(call, false);
        // A write(2) of 1 would sleep now until someone reads; the kernel's eventfd_signal saturates instead.
        var signals = new Thread(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                notifier.Signal();
            }
        }) { IsBackground = true, Name = "signals" };
        signals.Start();
        Assert.True(signals.Join(Bound), $"{mechanism} signals blocked on a full counter of a blocking eventfd");
        HostileEventFds.SetNonBlocking(call, true);
        Assert.Equal(ulong.MaxValue, HostileEventFds.TryRead(call)); // saturated at 2^64-1: the frontend sees "signalled"
    }

    [Theory]
    [MemberData(nameof(Safe))]
    public void A_semaphore_mode_eventfd_is_signalled_too(NotifyMechanism mechanism)
    {
        using var call = HostileEventFds.Create(semaphore: true);
        using var notifier = Make(call, mechanism);
        Assert.True(notifier.Signal());
        Assert.True(notifier.Signal());
        Assert.Equal(1ul, HostileEventFds.TryRead(call));
        Assert.Equal(1ul, HostileEventFds.TryRead(call));
        Assert.Equal(0ul, HostileEventFds.TryRead(call));
    }

    [Fact]
    public void The_write_fallback_skips_a_full_counter_instead_of_blocking_when_the_frontend_does_not_race_it()
    {
        using var call = HostileEventFds.Create();
        using var notifier = Make(call, NotifyMechanism.Write);
        Assert.True(HostileEventFds.TryWrite(call, HostileEventFds.FullCounter));
        HostileEventFds.SetNonBlocking(call, false);
        // poll(POLLOUT) says no room: no write. (A frontend that fills the counter between the poll
        // and the write still wedges it: why the daemon warns at start when it must use this.)
        Assert.False(notifier.Signal());
    }

    [Fact]
    public void The_preferred_mechanism_is_io_uring_where_the_kernel_allows_it()
    {
        string disabled = File.Exists("/proc/sys/kernel/io_uring_disabled") ? File.ReadAllText("/proc/sys/kernel/io_uring_disabled").Trim() : "?";
        if (disabled != "0" || Environment.GetEnvironmentVariable(CallNotifier.OverrideVariable) is not null)
        {
            Assert.Skip($"kernel.io_uring_disabled is {disabled} here, or {CallNotifier.OverrideVariable} is set");
        }
        Assert.Equal(NotifyMechanism.IoUring, CallNotifier.Preferred);
        Assert.False(string.IsNullOrEmpty(CallNotifier.PreferredReason));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Signalling_allocates_nothing(NotifyMechanism mechanism)
    {
        using var call = HostileEventFds.Create();
        using var notifier = Make(call, mechanism);
        notifier.Signal();
        HostileEventFds.TryRead(call);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            notifier.Signal();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static ICallNotifier Make(FileDescriptorHandle call, NotifyMechanism mechanism)
    {
        try
        {
            return CallNotifier.Create(call, mechanism);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Skip($"{mechanism} is not available here: {e.Message}");
            throw;
        }
    }
}
