namespace Netback.Daemon.Diagnostics;

/// <summary>
/// Frontend errors that disable the vif, as <c>xenvif_fatal_tx_err</c> does in Linux netback
/// (fact sheet §4.3): the ring holds garbage and nothing on it can be trusted any more.
/// </summary>
internal enum FatalReason
{
    /// <summary><c>req_prod - rsp_prod_pvt &gt; RING_SIZE</c>: "impossible number of requests".</summary>
    ImpossibleRequestCount,
    /// <summary>A packet whose extra-info or data slots run past the published requests.</summary>
    MissingSlots,
    /// <summary><c>fatal_skb_slots</c> (20) slots or more in one packet.</summary>
    TooManySlots,
    /// <summary>A slot with <c>offset + size &gt; 4096</c>.</summary>
    CrossPageBoundary,
    /// <summary>An extra-info slot of type 0 or ≥ XEN_NETIF_EXTRA_TYPE_MAX.</summary>
    BadExtraType,
    /// <summary>A GSO extra with size 0, below TCP's minimum MSS (88), or of an unknown GSO type.</summary>
    BadGso,
    /// <summary>A gref outside the announced data pages.</summary>
    BadGref,
    /// <summary>
    /// Kicks that announced nothing (the frontend published no request since its previous kick)
    /// kept coming through the late-EOI throttle (XSA-332) for <c>Netback:SpuriousKickLimit</c> in a row.
    /// </summary>
    KickStorm,
    Count,
}
