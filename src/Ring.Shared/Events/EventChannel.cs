using Ring.Shared.Interop;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Events;

/// <summary>
/// One direction of an event channel: an eventfd that one side signals and the other waits on.
/// eventfd counts coalesce like Xen's pending bit, so the waiter must re-scan its ring after draining.
/// </summary>
public sealed unsafe class EventChannel : IDisposable
{
    private const int EFD_CLOEXEC = 0x80000;
    private const int EFD_NONBLOCK = 0x800;

    public EventChannel(FileDescriptorHandle fd) => Handle = fd;

    public FileDescriptorHandle Handle { get; }

    public static EventChannel Create() =>
        new(new FileDescriptorHandle(NativeError.ThrowIfError(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd")));

    /// <summary>Signals the peer (the caller holds a reference on the handle).</summary>
    public static void Notify(int fd)
    {
        ulong one = 1;
        // An eventfd write only fails at a counter of 2^64-2, which a waiter that drains never lets happen.
        _ = Uio.write(fd, &one, sizeof(ulong));
    }

    /// <summary>Consumes pending signals; returns how many were coalesced (0 when none).</summary>
    public static ulong Drain(int fd)
    {
        ulong value = 0;
        nint n = Uio.read(fd, &value, sizeof(ulong));
        return n == sizeof(ulong) ? value : 0;
    }

    public void Notify()
    {
        using var lease = Lease();
        Notify(lease.Value);
    }

    /// <summary>Signals the peer unless this channel is closed already; false when it was.</summary>
    public bool TryNotify()
    {
        using var lease = new HandleLease(Handle);
        if (!lease.IsValid)
        {
            return false;
        }
        Notify(lease.Value);
        return true;
    }

    public ulong Drain()
    {
        using var lease = Lease();
        return Drain(lease.Value);
    }

    private HandleLease Lease()
    {
        var lease = new HandleLease(Handle);
        ObjectDisposedException.ThrowIf(!lease.IsValid, this);
        return lease;
    }

    public void Dispose() => Handle.Dispose();
}
