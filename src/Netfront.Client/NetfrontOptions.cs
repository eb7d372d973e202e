using Netback.Ring.Rings;

namespace Netfront.Client;

/// <summary>
/// What a frontend asks for when it connects. Values the backend does not offer are reduced to what
/// it does (queues, ring-page-order, event-channel mode), as Linux netfront and blkfront do; a ring
/// layout the backend does not list is an error.
/// </summary>
public sealed class NetfrontOptions
{
    /// <summary>The default control socket of <c>netbackd</c>.</summary>
    public const string DefaultSocketPath = "/run/netback/netback.sock";

    /// <summary>The backend's control socket (<c>SOCK_SEQPACKET</c>).</summary>
    public string SocketPath { get; set; } = DefaultSocketPath;

    /// <summary>
    /// Queues wanted (<c>multi-queue-num-queues</c>); clamped to 1..the backend's
    /// <c>multi-queue-max-queues</c>.
    /// </summary>
    public int Queues { get; set; } = 1;

    /// <summary>
    /// Pages per ring as a power of two (0..4: 256..4096 slots with the Xen layout); clamped to the
    /// backend's <c>max-ring-page-order</c>.
    /// </summary>
    public int RingPageOrder { get; set; }

    /// <summary>Ring page layout (<c>ring-layout</c>); must be one of the backend's <c>ring-layouts</c>.</summary>
    public RingLayout Layout { get; set; } = RingLayout.Xen;

    /// <summary>
    /// Separate TX and RX event channels (<c>feature-split-event-channels</c>); falls back to a single
    /// channel when the backend does not offer them.
    /// </summary>
    public bool SplitEventChannels { get; set; } = true;

    /// <summary>Optional Xen vifspec (<c>mac=…,vifname=…,mtu=…</c>) passed to the backend as is.</summary>
    public string? VifSpec { get; set; }

    /// <summary>Requested domid (1..32752); the backend picks the next free one when null.</summary>
    public int? DomId { get; set; }

    /// <summary>Requested device id (<c>handle</c>, 0..255); 0 when null.</summary>
    public int? DevId { get; set; }

    /// <summary>How long to wait for each backend reply during the handshake.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        if (string.IsNullOrEmpty(SocketPath))
        {
            throw new ArgumentException("a control socket path is required", nameof(SocketPath));
        }
        if (Queues < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Queues), Queues, "at least one queue is required");
        }
        if (RingPageOrder is < 0 or > Netback.Ring.Abi.NetifLimits.MaxRingPageOrder)
        {
            throw new ArgumentOutOfRangeException(nameof(RingPageOrder), RingPageOrder,
                $"ring-page-order must be 0..{Netback.Ring.Abi.NetifLimits.MaxRingPageOrder}");
        }
        if (!Enum.IsDefined(Layout))
        {
            throw new ArgumentOutOfRangeException(nameof(Layout), Layout, "unknown ring layout");
        }
        if (DomId is < 1 or > 32752)
        {
            throw new ArgumentOutOfRangeException(nameof(DomId), DomId, "domid must be 1..32752");
        }
        if (DevId is < 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(DevId), DevId, "devid must be 0..255");
        }
        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout), HandshakeTimeout, "the handshake timeout must be positive");
        }
    }
}
