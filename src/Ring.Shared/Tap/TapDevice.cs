using Ring.Shared.Interop;
using Ring.Shared.Offload;
using static Ring.Shared.Interop.Tun;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Tap;

/// <summary>
/// A multi-queue Linux TAP device: one <c>/dev/net/tun</c> fd per queue (IFF_MULTI_QUEUE), Ethernet
/// frames without packet info (IFF_NO_PI). The device exists while any queue fd is open: disposing
/// the object removes it (it is never made persistent).
/// </summary>
public sealed unsafe class TapDevice : IDisposable
{
    public const string TunPath = "/dev/net/tun";

    /// <summary>
    /// linux/if_tun.h's IFF_TUN_EXCL: TUNSETIFF fails with EBUSY if the name exists, instead of
    /// attaching to an existing TAP (someone's persistent one). (Beside Interop/Tun.cs's flags once merged.)
    /// </summary>
    private const short IFF_TUN_EXCL = unchecked((short)0x8000);

    private readonly FileDescriptorHandle[] _queues;

    private TapDevice(string name, FileDescriptorHandle[] queues, bool vnetHeader)
    {
        Name = name;
        _queues = queues;
        HasVnetHeader = vnetHeader;
    }

    public string Name { get; }

    /// <summary>
    /// IFF_VNET_HDR: every frame read or written is preceded by a <see cref="VirtioNetHdr"/>.
    /// </summary>
    public bool HasVnetHeader { get; }

    public IReadOnlyList<FileDescriptorHandle> Queues => _queues;

    /// <summary>
    /// Creates TAP <paramref name="name"/> with <paramref name="queues"/> queue fds, non-blocking.
    /// Always a new device: the first queue is opened with IFF_TUN_EXCL, so an existing device of that
    /// name, a TAP included, fails it (EBUSY) rather than being attached to; the other queues then
    /// attach to the device the first one made. With <paramref name="vnetHeader"/>
    /// every frame carries a <see cref="VirtioNetHdr"/> (IFF_VNET_HDR); the kernel then hands over
    /// partial checksums and GSO frames only as far as <see cref="SetOffload"/> allows.
    /// </summary>
    public static TapDevice Create(string name, int queues, bool vnetHeader = false)
    {
        if (queues < 1 || queues > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(queues), queues, "a TAP has 1..256 queues");
        }
        var fds = new FileDescriptorHandle[queues];
        try
        {
            for (int q = 0; q < queues; q++)
            {
                fds[q] = OpenQueue(name, vnetHeader, exclusive: q == 0);
            }
            return new TapDevice(name, fds, vnetHeader);
        }
        catch
        {
            foreach (var fd in fds)
            {
                fd?.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// Wraps descriptors that behave like TAP queues (one frame per read/write), e.g. the ends of a
    /// SOCK_SEQPACKET socketpair, so the data path can be exercised without privileges.
    /// </summary>
    internal static TapDevice Adopt(string name, FileDescriptorHandle[] queues, bool vnetHeader = false) =>
        new(name, queues, vnetHeader);

    private static FileDescriptorHandle OpenQueue(string name, bool vnetHeader, bool exclusive)
    {
        byte* path = stackalloc byte[TunPath.Length + 1];
        for (int i = 0; i < TunPath.Length; i++)
        {
            path[i] = (byte)TunPath[i];
        }
        path[TunPath.Length] = 0;
        int fd = Sys.open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = NativeError.LastErrno;
            throw new TapException(errno == NativeError.ENOENT
                ? $"{TunPath} does not exist: load the tun module (modprobe tun)"
                : $"cannot open {TunPath}: {NativeError.Exception("open", errno).Message}", errno);
        }
        var handle = new FileDescriptorHandle(fd);
        ifreq req = default;
        req.SetName(name);
        req.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | (vnetHeader ? IFF_VNET_HDR : 0) | (exclusive ? IFF_TUN_EXCL : 0));
        if (ioctl(fd, TUNSETIFF, &req) < 0)
        {
            int errno = NativeError.LastErrno;
            handle.Dispose();
            throw new TapException(errno switch
            {
                NativeError.EPERM => $"creating TAP {name} needs CAP_NET_ADMIN",
                NativeError.EBUSY or NativeError.EINVAL => $"cannot create TAP {name}: a device of that name exists already (or is not a multi-queue TAP)",
                _ => $"TUNSETIFF {name}: {NativeError.Exception("ioctl", errno).Message}",
            }, errno);
        }
        return handle;
    }

    /// <summary>
    /// Sets the link's carrier (TUNSETCARRIER): off makes the host stack see the cable pulled, as
    /// netback does for a disabled vif. Best effort: false if the device refused.
    /// </summary>
    public bool TrySetCarrier(bool on)
    {
        using var lease = new HandleLease(_queues[0]);
        if (!lease.IsValid)
        {
            return false;
        }
        int value = on ? 1 : 0;
        return ioctl(lease.Value, TUNSETCARRIER, &value) == 0;
    }

    /// <summary>
    /// TUNSETOFFLOAD: which offloads the reader of this TAP accepts, i.e. whether the kernel may hand
    /// it frames with a partial checksum (Csum) and 64 KiB TCP frames (Tso4/Tso6) instead of doing
    /// that work itself. Needs <see cref="HasVnetHeader"/> for anything but None.
    /// </summary>
    public void SetOffload(OffloadFeatures features)
    {
        features = features.Normalize();
        if (features != OffloadFeatures.None && !HasVnetHeader)
        {
            throw new InvalidOperationException($"TAP {Name}: offloads need IFF_VNET_HDR");
        }
        using var lease = new HandleLease(_queues[0]);
        if (!lease.IsValid)
        {
            throw new ObjectDisposedException(nameof(TapDevice));
        }
        if (ioctl(lease.Value, TUNSETOFFLOAD, (void*)features.ToTunFlags()) < 0)
        {
            int errno = NativeError.LastErrno;
            throw new TapException($"TUNSETOFFLOAD {Name} {features}: {NativeError.Exception("ioctl", errno).Message}", errno);
        }
    }

    public void Dispose()
    {
        foreach (var fd in _queues)
        {
            fd.Dispose();
        }
    }
}
