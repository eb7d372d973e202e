namespace Netback.Daemon.Configuration;

public static class TxCopyModeNames
{
    public const string Direct = "direct";
    public const string Bounce = "bounce";

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
            default:
                mode = default;
                return false;
        }
    }

    public static string ToKey(this TxCopyMode mode) => mode == TxCopyMode.Bounce ? Bounce : Direct;
}
