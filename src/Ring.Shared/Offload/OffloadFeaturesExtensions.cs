namespace Ring.Shared.Offload;

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
