using System.Runtime.InteropServices;

namespace Ring.Shared.Offload;

/// <summary>
/// <c>struct virtio_net_hdr</c> (linux/virtio_net.h), the 10-byte header a TAP opened with
/// IFF_VNET_HDR puts before every frame it reads and expects before every frame written to it.
/// It carries the checksum and segmentation metadata that Xen encodes as NETTXF_/NETRXF_ flags
/// and the GSO extra-info slot. Little-endian (TUNSETVNETLE is only for big-endian hosts).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1, Size = Size)]
public struct VirtioNetHdr
{
    public const int Size = 10;

    /// <summary>VIRTIO_NET_HDR_F_NEEDS_CSUM: the checksum at csum_start + csum_offset is to be completed.</summary>
    public const byte FlagNeedsCsum = 1;
    /// <summary>VIRTIO_NET_HDR_F_DATA_VALID: the checksum is known to be good.</summary>
    public const byte FlagDataValid = 2;

    public const byte GsoNone = 0;
    public const byte GsoTcpV4 = 1;
    public const byte GsoUdp = 3;
    public const byte GsoTcpV6 = 4;
    public const byte GsoEcn = 0x80;

    public byte Flags;
    public byte GsoType;
    /// <summary>Bytes of headers (Ethernet + IP + TCP) in a GSO frame; a hint for the kernel.</summary>
    public ushort HdrLen;
    /// <summary>Payload bytes per segment (the MSS).</summary>
    public ushort GsoSize;
    public ushort CsumStart;
    public ushort CsumOffset;
}
