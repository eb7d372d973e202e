namespace Ring.Shared.Offload;

/// <summary>
/// What <see cref="NetifOffload.FromVirtio"/> or <see cref="NetifOffload.ToVirtio"/> made of a
/// frame's metadata. Anything but <see cref="Mapped"/> and <see cref="NeedsPseudoHeaderChecksum"/>
/// means the frame cannot go on with it: the caller drops it (and counts the reason).
/// </summary>
public enum NetifOffloadResult : byte
{
    /// <summary>Mapped: the output is complete.</summary>
    Mapped,

    /// <summary>
    /// virtio → Xen on the guest-RX ring: NEEDS_CSUM, but the frontend does not take csum_blank
    /// (<c>feature-no-csum-offload</c>, or no <c>feature-ipv6-csum-offload</c>).
    /// </summary>
    CsumNotAccepted,

    /// <summary>
    /// virtio → Xen: a <c>gso_type</c> Xen has no encoding for (UDP, UDP_L4, the ECN bit, anything
    /// but TCPV4 and TCPV6).
    /// </summary>
    GsoNotCarried,

    /// <summary>virtio → Xen: TCP GSO whose <c>feature-gso-tcpv4</c>/<c>-tcpv6</c> the receiving side did not give.</summary>
    GsoNotAccepted,

    /// <summary>virtio → Xen: <c>gso_size</c> 0, which both netback and netfront treat as fatal.</summary>
    GsoSizeZero,

    /// <summary>
    /// Xen → virtio: csum_blank or GSO, but the frame's first bytes are not Ethernet, IPv4/IPv6
    /// and TCP/UDP (or are truncated): there is no <c>csum_start</c> to give.
    /// </summary>
    HeadersUnparsable,

    /// <summary>Xen → virtio: the GSO type is not the frame's (TCPV4 on IPv6, TCPV6 on IPv4, or not TCP).</summary>
    GsoTypeMismatch,

    /// <summary>
    /// Xen → virtio on the guest-TX ring: <c>gso.size</c> is beyond XEN_NETIF_MAX_TX_SIZE minus the
    /// headers, more than any segment of such a frame can carry.
    /// </summary>
    GsoSizeOutOfRange,

    /// <summary>
    /// Xen → virtio on the guest-RX ring: GSO without csum_blank. Netfront's <c>checksum_setup</c>
    /// runs only for csum_blank frames and a GSO frame is always checksum-partial, so it is refused.
    /// </summary>
    GsoWithoutCsumBlank,

    /// <summary>
    /// Xen → virtio on the guest-TX ring: GSO without csum_blank. The header is complete and says
    /// NEEDS_CSUM, but the frame's L4 checksum field holds a full checksum, and the kernel segments
    /// only partial ones: the caller writes the pseudo-header sum into its private copy of the
    /// headers first (<see cref="NetifOffload.WritePseudoHeaderChecksum"/>, netback's
    /// <c>recalculate_partial_csum</c>), then sends the frame.
    /// </summary>
    NeedsPseudoHeaderChecksum,
}
