using Ring.Shared.Offload;
using System.Buffers.Binary;
using System.Net.Sockets;
using Netfront.Client;

namespace Netback.Tests.Fuzz;

/// <summary>
/// The healthy vif of the fuzz: a real Netfront.Client device sends sequence-numbered frames at full
/// speed while a reader takes them off the vif's socketpair TAP end. Every frame the backend
/// accepted (status OK) must arrive, intact and in order; frames answered DROPPED (TAP full, as
/// netback drops on a full qdisc) or ERROR are allowed to be missing.
/// </summary>
internal sealed class HealthyTraffic
{
    private const ushort EtherType = 0x88B5; // IEEE local experimental
    private const int SeqOffset = 14;

    private readonly NetfrontDevice _device;
    private readonly Socket _host;
    private readonly Thread _sender;
    private readonly Thread _receiver;
    private volatile bool _stopSending;
    private volatile bool _stopReceiving;
    private long _sent;
    private long _received;
    private long _lastSeq = -1;

    public HealthyTraffic(NetfrontDevice device, Socket host)
    {
        _device = device;
        _host = host;
        _sender = new Thread(Send) { Name = "fuzz-healthy-tx", IsBackground = true };
        _receiver = new Thread(Receive) { Name = "fuzz-healthy-host", IsBackground = true };
    }

    public long OutOfOrder { get; private set; }

    public long Corrupt { get; private set; }

    public string? Failure { get; private set; }

    public void Start()
    {
        _receiver.Start();
        _sender.Start();
    }

    /// <summary>
    /// The frame inside one read from a TAP queue. The one line to change when the data path puts a
    /// 10-byte virtio_net_hdr in front of every frame (IFF_VNET_HDR): <c>tapRead[10..]</c>.
    /// </summary>
    public static ReadOnlySpan<byte> FrameOf(ReadOnlySpan<byte> tapRead) =>
        tapRead.Length >= VirtioNetHdr.Size ? tapRead[VirtioNetHdr.Size..] : []; // the TAPs are IFF_VNET_HDR

    /// <summary>Stops sending, waits for every TX response and then for every accepted frame at the TAP end.</summary>
    public (long Sent, long Accepted, long Received, long Dropped, long Errors) Finish(TimeSpan timeout)
    {
        _stopSending = true;
        if (!_sender.Join(timeout))
        {
            Failure ??= "the healthy sender did not finish";
        }
        var counters = _device.Queues[0].Counters;
        long sent = Interlocked.Read(ref _sent);
        long accepted = sent - counters.TxStatusDropped - counters.TxStatusErrors;
        var deadline = DateTime.UtcNow + timeout;
        while (Interlocked.Read(ref _received) < accepted && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }
        Thread.Sleep(50); // anything beyond "accepted" would be a duplicate: give it a moment to show
        _stopReceiving = true;
        _receiver.Join(timeout);
        return (sent, accepted, Interlocked.Read(ref _received), counters.TxStatusDropped, counters.TxStatusErrors);
    }

    private static int LengthOf(long seq) => 60 + (int)(seq * 7 % 1455);

    private static byte Fill(long seq, int i) => (byte)(seq * 13 + i);

    private void Send()
    {
        var queue = _device.Queues[0];
        byte[] frame = new byte[1514];
        frame.AsSpan(0, 6).Fill(0xff);
        frame.AsSpan(6, 6).Fill(0x02);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherType);
        long seq = 0;
        try
        {
            while (!_stopSending)
            {
                int length = LengthOf(seq);
                BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(SeqOffset), seq);
                for (int i = SeqOffset + 8; i < length; i++)
                {
                    frame[i] = Fill(seq, i);
                }
                if (queue.TrySend(frame.AsSpan(0, length)))
                {
                    Interlocked.Exchange(ref _sent, ++seq);
                    if ((seq & 15) == 0)
                    {
                        queue.PushTransmits();
                    }
                }
                else
                {
                    queue.PushTransmits();
                    if (queue.ReclaimTxResponses() == 0)
                    {
                        Thread.Yield();
                    }
                }
            }
            queue.PushTransmits();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (queue.TxInFlight > 0 && DateTime.UtcNow < deadline)
            {
                if (queue.ReclaimTxResponses() == 0)
                {
                    Thread.Sleep(1);
                }
            }
            if (queue.TxInFlight > 0)
            {
                Failure ??= $"{queue.TxInFlight} healthy frames never answered";
            }
        }
        catch (Exception e)
        {
            Failure ??= $"healthy sender: {e}";
        }
    }

    private void Receive()
    {
        byte[] buffer = new byte[70_000];
        _host.ReceiveTimeout = 100;
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = _host.Receive(buffer);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
                {
                    if (_stopReceiving)
                    {
                        return;
                    }
                    continue;
                }
                if (n == 0)
                {
                    Failure ??= "the healthy vif's TAP end was closed";
                    return;
                }
                Check(FrameOf(buffer.AsSpan(0, n)));
            }
        }
        catch (Exception e)
        {
            Failure ??= $"healthy receiver: {e}";
        }
    }

    private void Check(ReadOnlySpan<byte> frame)
    {
        long seq = frame.Length >= SeqOffset + 8 ? BinaryPrimitives.ReadInt64LittleEndian(frame[SeqOffset..]) : -1;
        bool intact = seq >= 0 && frame.Length == LengthOf(seq)
            && BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == EtherType;
        for (int i = SeqOffset + 8; intact && i < frame.Length; i++)
        {
            intact = frame[i] == Fill(seq, i);
        }
        if (!intact)
        {
            Corrupt++;
            return;
        }
        if (seq <= _lastSeq)
        {
            OutOfOrder++;
        }
        _lastSeq = seq;
        Interlocked.Increment(ref _received);
    }
}
