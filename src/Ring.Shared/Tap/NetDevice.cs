using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ring.Shared.Interop;
using static Ring.Shared.Interop.Tun;

namespace Ring.Shared.Tap;

/// <summary>
/// Configures a network interface of the calling thread's network namespace through the classic
/// SIOCSIF* ioctls (link up/down, MTU, MAC, IPv4 address): no child processes, no netlink.
/// </summary>
public static unsafe class NetDevice
{
    public static void SetUp(string name, bool up)
    {
        Ioctl(name, SIOCGIFFLAGS, (ref ifreq r) => { }, out ifreq current);
        short flags = up ? (short)(current.ifr_flags | IFF_UP) : (short)(current.ifr_flags & ~IFF_UP);
        Ioctl(name, SIOCSIFFLAGS, (ref ifreq r) => r.ifr_flags = flags, out _);
    }

    public static void SetMtu(string name, int mtu) => Ioctl(name, SIOCSIFMTU, (ref ifreq r) => r.ifr_mtu = mtu, out _);

    public static void SetMac(string name, PhysicalAddress mac)
    {
        byte[] bytes = mac.GetAddressBytes();
        if (bytes.Length != 6)
        {
            throw new ArgumentException("an Ethernet MAC has 6 bytes", nameof(mac));
        }
        Ioctl(name, SIOCSIFHWADDR, (ref ifreq r) =>
        {
            r.sa_family = ARPHRD_ETHER;
            for (int i = 0; i < 6; i++)
            {
                r.sa_data[i] = bytes[i];
            }
        }, out _);
    }

    /// <summary>Sets the primary IPv4 address and netmask (prefix length) of <paramref name="name"/>.</summary>
    public static void SetIPv4(string name, IPAddress address, int prefixLength)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork || prefixLength is < 0 or > 32)
        {
            throw new ArgumentException("an IPv4 address with a prefix length 0..32 is expected");
        }
        byte[] addr = address.GetAddressBytes();
        uint mask = prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);
        byte[] maskBytes = [(byte)(mask >> 24), (byte)(mask >> 16), (byte)(mask >> 8), (byte)mask];
        Ioctl(name, SIOCSIFADDR, (ref ifreq r) => FillSockaddrIn(ref r, addr), out _);
        Ioctl(name, SIOCSIFNETMASK, (ref ifreq r) => FillSockaddrIn(ref r, maskBytes), out _);
    }

    /// <summary>Enslaves <paramref name="name"/> to bridge <paramref name="bridge"/> (what Xen's vif-bridge script does).</summary>
    public static void AddToBridge(string bridge, string name)
    {
        int index = GetIndex(name);
        Ioctl(bridge, SIOCBRADDIF, (ref ifreq r) => r.ifr_ifindex = index, out _);
    }

    public static int GetIndex(string name)
    {
        Ioctl(name, SIOCGIFINDEX, (ref ifreq r) => { }, out ifreq result);
        return result.ifr_ifindex;
    }

    /// <summary>
    /// Sends <paramref name="frame"/> (a whole Ethernet frame, from its destination MAC) out of
    /// <paramref name="name"/> through an AF_PACKET socket, as the kernel sends its own gratuitous ARP
    /// (netdev_notify_peers); the qdisc is bypassed, so it goes even while linkwatch is still turning
    /// the device's carrier on. Needs CAP_NET_RAW.
    /// </summary>
    public static void SendFrame(string name, ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14)
        {
            throw new ArgumentException("an Ethernet frame has at least 14 bytes", nameof(frame));
        }
        int index = GetIndex(name);
        int fd = Packet.socket(Packet.AF_PACKET, Packet.SOCK_RAW | Packet.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = NativeError.LastErrno;
            throw new NetDeviceException($"AF_PACKET socket for {name}: {NativeError.Exception("socket", errno).Message}", errno);
        }
        try
        {
            int one = 1;
            _ = Packet.setsockopt(fd, Packet.SOL_PACKET, Packet.PACKET_QDISC_BYPASS, &one, sizeof(int)); // older kernels: through the qdisc
            Packet.sockaddr_ll to = default;
            to.sll_family = Packet.AF_PACKET;
            to.sll_protocol = (ushort)(frame[12] | (frame[13] << 8)); // the EtherType as it is on the wire: network order
            to.sll_ifindex = index;
            to.sll_halen = 6;
            for (int i = 0; i < 6; i++)
            {
                to.sll_addr[i] = frame[i];
            }
            fixed (byte* p = frame)
            {
                if (Packet.sendto(fd, p, (nuint)frame.Length, 0, &to, (uint)sizeof(Packet.sockaddr_ll)) < 0)
                {
                    int errno = NativeError.LastErrno;
                    throw new NetDeviceException($"sending a frame out of {name}: {NativeError.Exception("sendto", errno).Message}", errno);
                }
            }
        }
        finally
        {
            _ = Packet.close(fd);
        }
    }

    public static bool Exists(string name)
    {
        try
        {
            GetIndex(name);
            return true;
        }
        catch (NetDeviceException)
        {
            return false;
        }
    }

    private static void FillSockaddrIn(ref ifreq r, byte[] address)
    {
        // struct sockaddr_in: family, port (2 bytes), address (4 bytes) at sa_data[2..6].
        r.sa_family = (ushort)AddressFamily.InterNetwork;
        for (int i = 0; i < 4; i++)
        {
            r.sa_data[2 + i] = address[i];
        }
    }

    private delegate void Fill(ref ifreq request);

    private static void Ioctl(string name, uint request, Fill fill, out ifreq result)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ifreq req = default;
        req.SetName(name);
        fill(ref req);
        using (var lease = new HandleLease(socket.SafeHandle))
        {
            if (ioctl(lease.Value, request, &req) < 0)
            {
                int errno = NativeError.LastErrno;
                throw new NetDeviceException($"{RequestName(request)} on {name}: {NativeError.Exception("ioctl", errno).Message}", errno);
            }
        }
        result = req;
    }

    private static string RequestName(uint request) => request switch
    {
        SIOCGIFFLAGS => "SIOCGIFFLAGS",
        SIOCSIFFLAGS => "SIOCSIFFLAGS",
        SIOCSIFMTU => "SIOCSIFMTU",
        SIOCSIFHWADDR => "SIOCSIFHWADDR",
        SIOCSIFADDR => "SIOCSIFADDR",
        SIOCSIFNETMASK => "SIOCSIFNETMASK",
        SIOCGIFINDEX => "SIOCGIFINDEX",
        SIOCBRADDIF => "SIOCBRADDIF",
        _ => $"ioctl 0x{request:x}",
    };
}
