using Netback.Daemon.Diagnostics;
using Ring.Shared.Abi;

namespace Netback.Daemon.DataPath;

/// <summary>
/// One guest-TX packet as <see cref="TxRequestReader"/> read it: private copies of its slots (in the
/// reader's <see cref="TxRequestReader.Slots"/>), and what to do with it.
/// </summary>
internal struct TxPacket
{
    /// <summary>The first slot: its <c>size</c> is the whole packet's, its flags the packet's.</summary>
    public NetifTxRequest First;

    /// <summary>Data slots, the first included.</summary>
    public int DataSlots;

    /// <summary>Extra-info slots that followed the first (each answered NETIF_RSP_NULL).</summary>
    public int ExtraSlots;

    /// <summary>Bytes of the packet in the first slot (its size minus what the other slots carry).</summary>
    public int FirstLength;

    /// <summary>The GSO extra, when the packet carried one.</summary>
    public bool IsGso;

    public NetifExtraInfo Gso;

    /// <summary>Why the packet is dropped, with <see cref="TxReadStatus.Drop"/>.</summary>
    public TxDropReason Drop;

    /// <summary>Why the vif must be disabled, with <see cref="TxReadStatus.Fatal"/>.</summary>
    public FatalReason Fatal;

    /// <summary>What and where, for the one log line a fatal error gets.</summary>
    public string? FatalDetail;

    /// <summary>Ring slots the packet used: its data slots and its extras.</summary>
    public readonly uint SlotsUsed => (uint)(DataSlots + ExtraSlots);
}
