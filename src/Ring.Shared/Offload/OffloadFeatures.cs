namespace Ring.Shared.Offload;

/// <summary>
/// What a side of a vif accepts, in Xen's terms (the <c>feature-*</c> keys) and as TUN_F_* flags
/// for TUNSETOFFLOAD. <see cref="Csum"/> covers IPv4 and IPv6 (feature-ipv6-csum-offload); the TSO
/// bits need <see cref="Csum"/> and scatter-gather (feature-sg), as in Linux.
/// </summary>
[Flags]
public enum OffloadFeatures
{
    None = 0,
    /// <summary>Partial checksums (NETTXF_csum_blank / NETRXF_csum_blank) for IPv4 and IPv6.</summary>
    Csum = 1,
    /// <summary>feature-gso-tcpv4: 64 KiB TCP/IPv4 frames with a GSO extra-info slot.</summary>
    Tso4 = 2,
    /// <summary>feature-gso-tcpv6.</summary>
    Tso6 = 4,
    All = Csum | Tso4 | Tso6,
}
