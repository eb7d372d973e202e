using System.Runtime.CompilerServices;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Memory;
using Ring.Shared.Rings;

namespace Netback.Tests.Support;

/// <summary>
/// A frontend built by hand from Ring.Shared's pieces, mirroring what
/// <c>Netfront.Client/NetfrontDevice.Handshake.cs</c> does, but exposing the raw TX/RX front rings,
/// the grant area and the eventfds so a test can put any value in any slot. One queue, split event
/// channels, ring-page-order 0, layout xen. Grant area: page 0 TX ring, page 1 RX ring, then
/// <see cref="DataPages"/> data pages from <see cref="DataPageFirst"/>.
/// </summary>
internal sealed unsafe class HostileFrontend : IDisposable
{
    public const uint TxRingRef = 0;
    public const uint RxRingRef = 1;
    public const uint DataPageFirst = 2;
    public const int DataPages = 32;
    public const int GrantPages = (int)DataPageFirst + DataPages;

    /// <summary>Generous: the tests must hold on a loaded 2-core machine.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private HostileFrontend(ControlChannel channel, ControlMessage hello)
    {
        Channel = channel;
        Hello = hello;
        Area = GrantArea.Create(GrantPages, "hostile-grants");
        var txGeometry = RingGeometry.For(RingKind.Tx, RingLayout.Xen, 0);
        var rxGeometry = RingGeometry.For(RingKind.Rx, RingLayout.Xen, 0);
        Tx = new FrontRing<NetifTxRequest, NetifTxResponse>(Area.Base + (nint)TxRingRef * NetifLimits.PageSize, txGeometry);
        Rx = new FrontRing<NetifRxRequest, NetifRxResponse>(Area.Base + (nint)RxRingRef * NetifLimits.PageSize, rxGeometry);
        Tx.Init(); // SHARED_RING_INIT + FRONT_RING_INIT, before Connect as netfront does
        Rx.Init();
        TxKick = EventChannel.Create();
        TxCall = EventChannel.Create();
        RxKick = EventChannel.Create();
        RxCall = EventChannel.Create();
    }

    public ControlChannel Channel { get; }
    public ControlMessage Hello { get; }
    public GrantArea Area { get; }
    public FrontRing<NetifTxRequest, NetifTxResponse> Tx { get; }
    public FrontRing<NetifRxRequest, NetifRxResponse> Rx { get; }
    public EventChannel TxKick { get; }
    public EventChannel TxCall { get; }
    public EventChannel RxKick { get; }
    public EventChannel RxCall { get; }

    /// <summary>From the backend's Connected.</summary>
    public string VifName { get; private set; } = "";
    public ControlMessage? Connected { get; private set; }

    /// <summary>Connects and reads Hello; the rings are initialised, nothing is sent yet.</summary>
    public static HostileFrontend Open(string socketPath)
    {
        var channel = ControlChannel.Connect(socketPath);
        try
        {
            using var hello = channel.Receive(Timeout);
            if (hello.Message.Type != ControlMessageType.Hello)
            {
                throw new InvalidOperationException($"expected Hello, got {hello.Message}");
            }
            return new HostileFrontend(channel, hello.Message);
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    /// <summary>Open, send the standard Connect and wait for Connected.</summary>
    /// <param name="configure">Adds or changes Connect keys, e.g. the frontend's RX feature-* keys.</param>
    public static HostileFrontend Connect(string socketPath, string? vifSpec = null, Action<ControlMessage>? configure = null)
    {
        var f = Open(socketPath);
        try
        {
            var m = StandardConnect();
            if (vifSpec is not null)
            {
                m.Set(XenbusKeys.VifSpec, vifSpec);
            }
            configure?.Invoke(m);
            f.SendConnect(m, f.StandardFds());
            var reply = f.ReceiveControl();
            if (reply.Type != ControlMessageType.Connected)
            {
                throw new InvalidOperationException($"expected Connected, got {reply}");
            }
            f.Connected = reply;
            f.VifName = reply.Get(XenbusKeys.Vif) ?? throw new InvalidOperationException("no vif in Connected");
            return f;
        }
        catch
        {
            f.Dispose();
            throw;
        }
    }

    /// <summary>The Connect netfront would send for this layout (fds: memfd, TX kick, TX call, RX kick, RX call).</summary>
    public static ControlMessage StandardConnect()
    {
        var m = new ControlMessage(ControlMessageType.Connect) { State = XenbusState.Connected };
        m.Set(XenbusKeys.MultiQueueNumQueues, 1);
        m.Set(XenbusKeys.RingPageOrder, 0);
        m.Set(XenbusKeys.RingLayout, RingLayoutNames.Xen);
        m.Set(XenbusKeys.RequestRxCopy, true);
        m.Set(XenbusKeys.FeatureRxNotify, true);
        m.Set(XenbusKeys.GrantPages, GrantPages);
        m.Set(XenbusKeys.DataPageFirst, DataPageFirst);
        m.Set(XenbusKeys.GrantAreaFd, 0);
        m.Set(XenbusKeys.TxRingRef, TxRingRef);
        m.Set(XenbusKeys.RxRingRef, RxRingRef);
        m.Set(XenbusKeys.EventChannelTx, "1,2");
        m.Set(XenbusKeys.EventChannelRx, "3,4");
        return m;
    }

    public FileDescriptorHandle[] StandardFds() =>
        [Area.Fd, TxKick.Handle, TxCall.Handle, RxKick.Handle, RxCall.Handle];

    public void SendConnect(ControlMessage m, FileDescriptorHandle[] fds) => Channel.Send(m, fds);

    /// <summary>The next control message from the backend (fds, if any, are closed).</summary>
    public ControlMessage ReceiveControl(TimeSpan? timeout = null)
    {
        using var r = Channel.Receive(timeout ?? Timeout);
        return r.Message;
    }

    /// <summary>True when the backend closed the control connection (EOF) within the timeout.</summary>
    public bool WaitForEof(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var r = Channel.Receive(deadline - DateTime.UtcNow);
            }
            catch (ControlChannelClosedException)
            {
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>Data page <paramref name="index"/> (0-based) as a gref.</summary>
    public static uint DataGref(int index) => DataPageFirst + (uint)index;

    public Span<byte> Page(uint gref) => Area.Page(gref);

    /// <summary>Writes a raw TX request at req_prod_pvt (not yet published).</summary>
    public void ProduceTx(uint gref, ushort offset, NetTxFlags flags, ushort id, ushort size) =>
        Tx.Produce(new NetifTxRequest { Gref = gref, Offset = offset, Flags = (ushort)flags, Id = id, Size = size });

    /// <summary>Writes an extra-info slot at req_prod_pvt (the rest of the 12-byte slot zero).</summary>
    public void ProduceExtra(NetifExtraInfo extra)
    {
        NetifTxRequest slot = default;
        Unsafe.As<NetifTxRequest, NetifExtraInfo>(ref slot) = extra;
        Tx.Produce(slot);
    }

    /// <summary>Publishes req_prod and kicks unconditionally (a hostile frontend ignores req_event).</summary>
    public void PushTx()
    {
        Tx.PushRequests();
        TxKick.Notify();
    }

    /// <summary>Posts an RX buffer with any gref, publishes and kicks.</summary>
    public void PostRx(ushort id, uint gref)
    {
        Rx.Produce(new NetifRxRequest { Id = id, Gref = gref });
        Rx.PushRequests();
        RxKick.Notify();
    }

    /// <summary>
    /// Waits until the backend has published at least <paramref name="count"/> TX responses beyond
    /// rsp_cons and consumes exactly that many.
    /// </summary>
    public NetifTxResponse[] TakeTxResponses(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (Tx.UnconsumedResponses < (uint)count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {Tx.UnconsumedResponses} of {count} TX responses within the timeout");
            }
            Thread.Sleep(1);
        }
        var result = new NetifTxResponse[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = Tx.CopyResponse(Tx.RspCons);
            Tx.RspCons++;
        }
        return result;
    }

    /// <summary>Copies <paramref name="frame"/> to a data page and sends it as one slot; returns its response.</summary>
    public NetifTxResponse SendFrame(ReadOnlySpan<byte> frame, ushort id, int dataPage = 0)
    {
        uint gref = DataGref(dataPage);
        frame.CopyTo(Page(gref));
        ProduceTx(gref, 0, NetTxFlags.None, id, (ushort)frame.Length);
        PushTx();
        return TakeTxResponses(1)[0];
    }

    public void Dispose()
    {
        Channel.Dispose();
        TxKick.Dispose();
        TxCall.Dispose();
        RxKick.Dispose();
        RxCall.Dispose();
        Area.Dispose();
    }
}
