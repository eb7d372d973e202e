namespace Netback.Daemon.Configuration;

/// <summary>How a guest-TX frame reaches the TAP (vifspec <c>tx-copy=</c>).</summary>
public enum TxCopyMode
{
    /// <summary>writev straight from the frontend's pages (only the parsed headers are copied).</summary>
    Direct,
    /// <summary>Copy the whole frame into a private buffer first: the baseline for the zero-copy comparison.</summary>
    Bounce,
    /// <summary>
    /// The grant-map model (netback's gnttab map/unmap): each TX round maps every request's page from
    /// the grant area on its own (one mmap per slot), writes the frame from those mappings and unmaps
    /// them when the round ends, so the cost of mapping and of the TLB shoot-down on unmap is paid.
    /// </summary>
    Map,
}
