namespace Ring.Shared.Rings;

public static class RingLayoutNames
{
    public const string Xen = "xen";
    public const string Cacheline = "cacheline";

    public static string ToKey(this RingLayout layout) => layout == RingLayout.Cacheline ? Cacheline : Xen;

    public static bool TryParse(string? value, out RingLayout layout)
    {
        switch (value)
        {
            case Xen: layout = RingLayout.Xen; return true;
            case Cacheline: layout = RingLayout.Cacheline; return true;
            default: layout = RingLayout.Xen; return false;
        }
    }
}
