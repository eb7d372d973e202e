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

public static class OffloadFeaturesExtensions
{
    // linux/if_tun.h
    private const uint TUN_F_CSUM = 0x01;
    private const uint TUN_F_TSO4 = 0x02;
    private const uint TUN_F_TSO6 = 0x04;

    /// <summary>
    /// Normalises a set the way Linux's netdev_fix_features does: segmentation without checksum
    /// offload is dropped.
    /// </summary>
    public static OffloadFeatures Normalize(this OffloadFeatures f) =>
        (f & OffloadFeatures.Csum) == 0 ? OffloadFeatures.None : f & OffloadFeatures.All;

    /// <summary>The TUNSETOFFLOAD argument: what the reader of the TAP accepts from the kernel.</summary>
    public static uint ToTunFlags(this OffloadFeatures f)
    {
        f = f.Normalize();
        uint flags = 0;
        if ((f & OffloadFeatures.Csum) != 0)
        {
            flags |= TUN_F_CSUM;
        }
        if ((f & OffloadFeatures.Tso4) != 0)
        {
            flags |= TUN_F_TSO4;
        }
        if ((f & OffloadFeatures.Tso6) != 0)
        {
            flags |= TUN_F_TSO6;
        }
        return flags;
    }
}
