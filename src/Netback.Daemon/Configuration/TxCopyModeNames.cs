namespace Netback.Daemon.Configuration;

public static class TxCopyModeNames
{
    public const string Direct = "direct";
    public const string Bounce = "bounce";
    public const string Map = "map";

    /// <summary>The accepted values, as an error message lists them.</summary>
    public const string Allowed = "direct, bounce or map";

    public static bool TryParse(string value, out TxCopyMode mode)
    {
        switch (value)
        {
            case Direct:
                mode = TxCopyMode.Direct;
                return true;
            case Bounce:
                mode = TxCopyMode.Bounce;
                return true;
            case Map:
                mode = TxCopyMode.Map;
                return true;
            default:
                mode = default;
                return false;
        }
    }

    public static string ToKey(this TxCopyMode mode) => mode switch
    {
        TxCopyMode.Bounce => Bounce,
        TxCopyMode.Map => Map,
        _ => Direct,
    };
}
