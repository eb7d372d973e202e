namespace Ring.Shared.Rings;

public static class RingLayoutNames
{
    public const string Xen = "xen";
    public const string Cacheline = "cacheline";
    public const string CachelineSlot = "cacheline-slot";

    /// <summary>The Hello's <c>ring-layouts</c>: every layout, space-separated.</summary>
    public const string Offered = Xen + " " + Cacheline + " " + CachelineSlot;

    /// <summary>The accepted values, as an error message lists them.</summary>
    public const string Allowed = Xen + ", " + Cacheline + " or " + CachelineSlot;

    public static string ToKey(this RingLayout layout) => layout switch
    {
        RingLayout.Cacheline => Cacheline,
        RingLayout.CachelineSlot => CachelineSlot,
        _ => Xen,
    };

    public static bool TryParse(string? value, out RingLayout layout)
    {
        switch (value)
        {
            case Xen: layout = RingLayout.Xen; return true;
            case Cacheline: layout = RingLayout.Cacheline; return true;
            case CachelineSlot: layout = RingLayout.CachelineSlot; return true;
            default: layout = RingLayout.Xen; return false;
        }
    }
}
