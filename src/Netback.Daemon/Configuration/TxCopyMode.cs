namespace Netback.Daemon.Configuration;

/// <summary>How a guest-TX frame reaches the TAP (vifspec <c>tx-copy=</c>).</summary>
public enum TxCopyMode
{
    /// <summary>writev straight from the frontend's pages (only the parsed headers are copied).</summary>
    Direct,
    /// <summary>Copy the whole frame into a private buffer first: the baseline for the zero-copy comparison.</summary>
    Bounce,
}
