using Ring.Shared.Abi;

namespace Netfront.Client;

/// <summary>
/// A frame's checksum and segmentation metadata as Xen carries it (docs/protocol.md "Offloads"):
/// the csum flags of the first slot and the GSO extra-info slot. The same for both directions:
/// <see cref="NetfrontQueue.CommitSendPages"/> encodes it (NETTXF_*), receive decodes it (NETRXF_*).
/// </summary>
/// <param name="CsumBlank">The L4 checksum field holds only the pseudo-header sum: to be completed.</param>
/// <param name="DataValidated">The checksum is known good (or will be, with <paramref name="CsumBlank"/>).</param>
/// <param name="GsoType">TcpV4/TcpV6 for a frame to be segmented, None otherwise.</param>
/// <param name="GsoSize">The MSS of a GSO frame (&gt; 0); 0 otherwise.</param>
public readonly record struct FrameOffload(bool CsumBlank, bool DataValidated, XenNetifGsoType GsoType, ushort GsoSize)
{
    /// <summary>No metadata: a complete frame with its checksums in place.</summary>
    public static FrameOffload None => default;

    /// <summary>Whether the frame carries a GSO extra-info slot.</summary>
    public bool IsGso => GsoType != XenNetifGsoType.None;
}
