namespace Netback.Daemon.Configuration;

/// <summary>How a guest-TX frame reaches the TAP (vifspec <c>tx-copy=</c>).</summary>
public enum TxCopyMode
{
    /// <summary>writev straight from the frontend's pages (only the parsed headers are copied).</summary>
    Direct,
    /// <summary>Copy the whole frame into a private buffer first: the baseline for the zero-copy comparison.</summary>
    Bounce,
}

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
