namespace Netback.Daemon.DataPath;

/// <summary>What <see cref="TxRequestReader"/> made of a packet's slots.</summary>
internal enum TxReadStatus
{
    /// <summary>A packet to send: every slot checked.</summary>
    Packet,

    /// <summary>A packet to answer with an error and not send (netback's xenvif_tx_err); the vif lives on.</summary>
    Drop,

    /// <summary>Garbage on the ring (netback's xenvif_fatal_tx_err): the vif must be disabled, nothing answered.</summary>
    Fatal,
}
