using System.Net.NetworkInformation;
using Netfront.Client;

namespace Netback.RingFlood;

/// <summary>
/// One queue flooded flat out, as a real frontend's queue thread would: the library's
/// <see cref="NetfrontQueueDriver{TWork}"/> runs the loop (batches of its budget, one push per
/// round, ring.h's final check before sleeping on the call eventfd) and calls in here. TX: every
/// free slot gets a frame, copied (<see cref="NetfrontQueue.TrySend"/>) or, zero-copy, committed
/// over whatever the page held. RX: frames are counted by the queue and discarded here. Nothing is
/// allocated per frame.
/// </summary>
/// <remarks>
/// The frames carry the vif's MAC as their source, so they pass the daemon's anti-spoofing filter
/// and are answered <c>NETIF_RSP_OKAY</c>: the flood measures the path a guest's frame takes, not
/// the drop path. Only frames answered OKAY are counted (<see cref="OkayFrames"/>): a refused frame
/// is never a packet.
/// </remarks>
internal struct FloodWork : INetfrontQueueWork
{
    private readonly FloodMode _mode;
    private readonly byte[] _frame;
    private readonly bool _zeroCopy;
    private readonly int _slotsPerFrame;
    // Zero-copy: slot ids whose page already holds the frame's Ethernet header (written once per id).
    private readonly bool[] _primed;
    private long _okayFrames;

    public FloodWork(FloodMode mode, int frameSize, bool zeroCopy, PhysicalAddress source, int txRingSize)
    {
        _mode = mode;
        _zeroCopy = zeroCopy;
        _frame = new byte[frameSize];
        _slotsPerFrame = (frameSize + NetfrontQueue.MaxSlotFrame - 1) / NetfrontQueue.MaxSlotFrame;
        _primed = zeroCopy ? new bool[txRingSize] : [];
        // A broadcast Ethernet frame from the vif's own MAC with an experimental EtherType (0x88b5):
        // valid to any parser, passed by anti-spoofing (other EtherTypes pass), owned by nobody.
        _frame.AsSpan(0, 6).Fill(0xff);
        byte[] mac = source.GetAddressBytes();
        if (mac.Length != 6)
        {
            throw new ArgumentException($"the vif's MAC '{source}' is not an Ethernet address", nameof(source));
        }
        mac.CopyTo(_frame.AsSpan(6, 6));
        _frame[12] = 0x88;
        _frame[13] = 0xb5;
    }

    public readonly int TxWorkFd => -1;

    public readonly int RxBudget => _mode == FloodMode.Rx ? NetfrontQueueDriver<FloodWork>.Budget : 0;

    /// <summary>TX always has a frame waiting: sleep only when no slot is free.</summary>
    public readonly int TxSlotsWanted => _mode == FloodMode.Tx ? _slotsPerFrame : 0;

    public readonly bool IsDone => false;

    /// <summary>
    /// TX frames the backend has answered <c>NETIF_RSP_OKAY</c>, as of the driver's last round
    /// (written by the driver's thread; read by others as a counter).
    /// </summary>
    public readonly long OkayFrames => Volatile.Read(in _okayFrames);

    public int Transmit(NetfrontQueue queue, int budget)
    {
        if (_mode != FloodMode.Tx)
        {
            return 0;
        }
        // The driver reclaimed responses just before this call: every slot placed on the ring and no
        // longer in flight has been answered, and the queue counted the non-OKAY ones (per slot).
        NetfrontQueueCounters c = queue.Counters;
        long answeredSlots = c.TxPackets * _slotsPerFrame - queue.TxInFlight;
        Volatile.Write(ref _okayFrames, (answeredSlots - c.TxStatusErrors - c.TxStatusDropped) / _slotsPerFrame);

        ReadOnlySpan<byte> frame = _frame;
        int sent = 0;
        while (sent < budget && queue.FreeTxSlots >= _slotsPerFrame)
        {
            if (_zeroCopy)
            {
                // The page keeps whatever it held: this measures the ring alone, no memcpy, except the
                // first use of each slot id, which writes the Ethernet header (source MAC) once.
                queue.TryBeginSend(out Span<byte> page, out int token);
                if (!_primed[token])
                {
                    frame[..14].CopyTo(page);
                    _primed[token] = true;
                }
                queue.CommitSend(token, frame.Length);
            }
            else if (!queue.TrySend(frame))
            {
                break;
            }
            sent++;
        }
        return sent;
    }

    /// <summary>Discards a received frame: the queue's counters already count it.</summary>
    public readonly void OnFrame(in RxFrame frame)
    {
    }

    public readonly void OnTxWorkReadable()
    {
    }

    public readonly int SleepTimeout() => -1;
}
