using System.Runtime.InteropServices;

namespace Ring.Shared.Interop;

/// <summary>
/// AF_PACKET (linux/if_packet.h): a raw socket that sends a whole Ethernet frame out of one device,
/// as the kernel's own gratuitous ARP leaves it. Send-only (protocol 0: nothing is received).
/// </summary>
internal static unsafe partial class Packet
{
    public const int AF_PACKET = 17;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_PACKET = 263;

    /// <summary>Straight to the driver (tun_net_xmit), past a qdisc that linkwatch may not have activated yet after a carrier change.</summary>
    public const int PACKET_QDISC_BYPASS = 20;

    /// <summary>struct sockaddr_ll (20 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct sockaddr_ll
    {
        public ushort sll_family;
        public ushort sll_protocol; // network order
        public int sll_ifindex;
        public ushort sll_hatype;
        public byte sll_pkttype;
        public byte sll_halen;
        public fixed byte sll_addr[8];
    }

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int setsockopt(int sockfd, int level, int optname, void* optval, uint optlen);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial nint sendto(int sockfd, void* buf, nuint len, int flags, sockaddr_ll* dest_addr, uint addrlen);

    [LibraryImport(Libc.Name, SetLastError = true)]
    public static partial int close(int fd);
}
