using System.Runtime.InteropServices;

namespace Ring.Shared.Interop;

/// <summary>
/// linux/if_tun.h and the net-device ioctls of linux/sockios.h: not in Tmds.LibC.
/// Values from the fact sheet §7 (all TUN ioctls are encoded with size 4).
/// </summary>
internal static unsafe partial class Tun
{
    public const int IFNAMSIZ = 16;

    public const uint TUNSETIFF = 0x400454CA;
    public const uint TUNSETPERSIST = 0x400454CB;
    public const uint TUNGETFEATURES = 0x800454CF;
    public const uint TUNSETOFFLOAD = 0x400454D0;
    public const uint TUNSETVNETHDRSZ = 0x400454D8;
    public const uint TUNSETQUEUE = 0x400454D9;
    public const uint TUNSETCARRIER = 0x400454E2;

    public const short IFF_TAP = 0x0002;
    public const short IFF_MULTI_QUEUE = 0x0100;
    public const short IFF_NO_PI = 0x1000;
    public const short IFF_VNET_HDR = 0x4000;

    // linux/sockios.h
    public const uint SIOCGIFFLAGS = 0x8913;
    public const uint SIOCSIFFLAGS = 0x8914;
    public const uint SIOCSIFADDR = 0x8916;
    public const uint SIOCSIFNETMASK = 0x891c;
    public const uint SIOCSIFMTU = 0x8922;
    public const uint SIOCSIFHWADDR = 0x8924;
    public const uint SIOCGIFINDEX = 0x8933;
    public const uint SIOCBRADDIF = 0x89a2;

    // linux/if.h
    public const short IFF_UP = 0x1;

    public const ushort ARPHRD_ETHER = 1;

    /// <summary>struct ifreq: 16-byte name, then a 24-byte union (40 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct ifreq
    {
        [FieldOffset(0)] public fixed byte ifr_name[IFNAMSIZ];
        [FieldOffset(16)] public short ifr_flags;
        [FieldOffset(16)] public int ifr_mtu;
        [FieldOffset(16)] public int ifr_ifindex;
        /// <summary>struct sockaddr: sa_family (u16) then 14 bytes of data.</summary>
        [FieldOffset(16)] public ushort sa_family;
        [FieldOffset(18)] public fixed byte sa_data[14];

        public void SetName(string name)
        {
            if (name.Length is 0 or >= IFNAMSIZ)
            {
                throw new ArgumentException($"interface name '{name}' must be 1..{IFNAMSIZ - 1} characters", nameof(name));
            }
            fixed (byte* p = ifr_name)
            {
                var span = new Span<byte>(p, IFNAMSIZ);
                span.Clear();
                for (int i = 0; i < name.Length; i++)
                {
                    char c = name[i];
                    if (c <= ' ' || c > '~' || c == '/' || c == ':')
                    {
                        throw new ArgumentException($"interface name '{name}' has an invalid character", nameof(name));
                    }
                    span[i] = (byte)c;
                }
            }
        }
    }

    [LibraryImport(Libc.Name, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, void* arg);
}
