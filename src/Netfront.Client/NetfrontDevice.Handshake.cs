using System.ComponentModel;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Events;
using Ring.Shared.Interop;
using Ring.Shared.Memory;
using Ring.Shared.Offload;
using Ring.Shared.Rings;
using Ring.Shared.Topology;

namespace Netfront.Client;

/// <summary>
/// The xenbus handshake from the frontend's side (netfront's <c>talk_to_netback</c> and
/// <c>xennet_connect</c>):
/// <code>
///   connect() ──► Hello (InitWait) ──► choose, build grant area + rings + eventfds
///             ──► Connect (state 4, fds) ──► Connected (vif, mac, mtu)   or Error: reason
/// </code>
/// </summary>
public sealed partial class NetfrontDevice
{
    /// <summary>Queues whose eventfds (4 each, split) fit next to the memfd in one SCM_RIGHTS record.</summary>
    private const int MaxQueuesByFds = (ControlCodec.MaxFds - 1) / 4;

    private static ControlChannel OpenChannel(string path)
    {
        try
        {
            return ControlChannel.Connect(path);
        }
        catch (SocketException e)
        {
            // The runtime maps a missing socket file to a misleading text; say what happened.
            string why = !Path.Exists(path) ? "it does not exist"
                : e.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "nothing is listening on it",
                    SocketError.AccessDenied => "permission denied",
                    _ => e.Message,
                };
            throw new NetfrontException($"cannot connect to the netback control socket {path}: {why} (is netbackd running?)", e);
        }
    }

    private void Handshake()
    {
        BackendHello hello;
        using (var received = ReceiveDuringHandshake("Hello"))
        {
            hello = BackendHello.Parse(received.Message);
        }

        int queues = Math.Clamp(_options.Queues, 1, Math.Min(hello.MaxQueues, MaxQueuesByFds));
        int order = Math.Min(_options.RingPageOrder, Math.Min(hello.MaxRingPageOrder, NetifLimits.MaxRingPageOrder));
        if (!hello.Offers(_options.Layout))
        {
            throw new NetfrontException($"the backend does not offer ring-layout {_options.Layout.ToKey()}");
        }
        bool split = _options.SplitEventChannels && hello.SplitEventChannels;
        RingPageOrder = order;
        Layout = _options.Layout;
        SplitEventChannels = split;

        var layout = new GrantLayout(queues,
            RingGeometry.For(RingKind.Tx, Layout, order),
            RingGeometry.For(RingKind.Rx, Layout, order));
        var cpus = Placement(); // before anything is built: a bad NetfrontOptions.Cpus fails here
        _area = GrantArea.Create(layout.TotalPages);
        CreateQueues(layout, split);
        foreach (var queue in _queues)
        {
            queue.EventSuppression = _options.EventSuppression;
            queue.Cpu = _options.Cpus is null ? null : cpus![queue.Index % cpus.Count];
        }

        var fds = new List<FileDescriptorHandle>(1 + 4 * queues) { _area.Fd };
        var connect = BuildConnect(layout, fds, cpus);
        try
        {
            _channel.Send(connect, fds.ToArray());
        }
        catch (ControlChannelClosedException e)
        {
            throw new NetfrontException($"the backend closed the connection before Connect: {e.Message}", e);
        }

        using (var received = ReceiveDuringHandshake("Connected"))
        {
            ReadConnected(received.Message);
        }
        // The buffers were posted before the backend attached; one kick makes it look at them.
        foreach (var queue in _queues)
        {
            queue.SetOffloads(TxOffloads, RxOffloads);
            queue.KickRx();
        }
    }

    private unsafe void CreateQueues(GrantLayout layout, bool split)
    {
        _queues = new NetfrontQueue[layout.Queues];
        for (int q = 0; q < layout.Queues; q++)
        {
            var channels = QueueEventChannels.Create(split);
            try
            {
                // SHARED_RING_INIT and the initial RX buffers happen here, before Connect.
                _queues[q] = new NetfrontQueue(q, _area!.Base, layout, channels) { TxCompletion = _options.TxCompletion };
            }
            catch
            {
                channels.Dispose();
                _queues = _queues[..q];
                throw;
            }
        }
    }

    /// <summary>
    /// Where this frontend's queue threads run: <see cref="NetfrontOptions.Cpus"/> (they will be pinned
    /// there), else the calling thread's affinity, which the threads it starts inherit. Null if unknown.
    /// </summary>
    private CpuSet? Placement()
    {
        var topology = CpuTopology.Machine;
        if (_options.Cpus is { } list)
        {
            if (!CpuSet.TryParse(list, topology.PossibleCpus, out var pinned, out string? error))
            {
                throw new NetfrontException($"Cpus '{list}' {error} (a Linux CPU list such as 0-1,3 of CPUs 0..{topology.PossibleCpus - 1})");
            }
            return pinned;
        }
        return Affinity.Get(0);
    }

    private ControlMessage BuildConnect(GrantLayout layout, List<FileDescriptorHandle> fds, CpuSet? cpus)
    {
        var m = new ControlMessage(ControlMessageType.Connect) { State = XenbusState.Connected };
        m.Set(XenbusKeys.MultiQueueNumQueues, layout.Queues);
        m.Set(XenbusKeys.RingPageOrder, RingPageOrder);
        m.Set(XenbusKeys.RingLayout, Layout.ToKey());
        m.Set(XenbusKeys.RequestRxCopy, true);
        m.Set(XenbusKeys.FeatureRxNotify, true);
        m.Set(XenbusKeys.GrantPages, layout.TotalPages);
        m.Set(XenbusKeys.DataPageFirst, layout.DataPageFirst);
        m.Set(XenbusKeys.GrantAreaFd, 0);
        for (int q = 0; q < layout.Queues; q++)
        {
            var channels = _queues[q].Channels;
            m.Set(XenbusKeys.Queue(layout.Queues, q, XenbusKeys.TxRingRef), layout.TxRingRef(q));
            m.Set(XenbusKeys.Queue(layout.Queues, q, XenbusKeys.RxRingRef), layout.RxRingRef(q));
            var (tx, rx) = channels.AppendFds(fds);
            if (rx is null)
            {
                m.Set(XenbusKeys.Queue(layout.Queues, q, XenbusKeys.EventChannel), tx);
            }
            else
            {
                m.Set(XenbusKeys.Queue(layout.Queues, q, XenbusKeys.EventChannelTx), tx);
                m.Set(XenbusKeys.Queue(layout.Queues, q, XenbusKeys.EventChannelRx), rx);
            }
        }
        // What this frontend accepts on guest RX (netfront's xennet_connect writes the same keys).
        var accepts = _options.EffectiveRxOffloads;
        RxOffloads = accepts;
        m.Set(XenbusKeys.FeatureSg, _options.Offloads && _options.RxScatterGather);
        m.Set(XenbusKeys.FeatureGsoTcpV4, (accepts & OffloadFeatures.Tso4) != 0);
        m.Set(XenbusKeys.FeatureGsoTcpV6, (accepts & OffloadFeatures.Tso6) != 0);
        m.Set(XenbusKeys.FeatureIpv6CsumOffload, (accepts & OffloadFeatures.Csum) != 0);
        if ((accepts & OffloadFeatures.Csum) == 0)
        {
            m.Set(XenbusKeys.FeatureNoCsumOffload, true);
        }
        if (_options.EffectiveVifSpec is { } vifSpec)
        {
            m.Set(XenbusKeys.VifSpec, vifSpec);
        }
        if (cpus is { IsEmpty: false } && cpus.ToString() is { Length: <= CpuSet.MaxTextLength } cpuList)
        {
            m.Set(XenbusKeys.FrontendCpus, cpuList);
            var nodes = cpus.Cpus.Select(CpuTopology.Machine.NodeOf).Distinct().ToArray();
            if (nodes is [{ } node])
            {
                m.Set(XenbusKeys.FrontendNode, node);
            }
        }
        if (_options.DomId is { } domId)
        {
            m.Set(XenbusKeys.DomId, domId);
        }
        if (_options.DevId is { } devId)
        {
            m.Set(XenbusKeys.Handle, devId);
        }
        return m;
    }

    private void ReadConnected(ControlMessage m)
    {
        if (m.Type == ControlMessageType.Error)
        {
            throw BackendHello.BackendRefused(m, "the backend refused the connection");
        }
        if (m.Type == ControlMessageType.State && m.State >= XenbusState.Closing)
        {
            throw BackendHello.BackendRefused(m, "the backend is closing");
        }
        if (m.Type != ControlMessageType.Connected || m.State != XenbusState.Connected)
        {
            throw new NetfrontException($"protocol error: expected Connected (state 4) from the backend, got {m.Type} state {(int)m.State}");
        }
        try
        {
            VifName = m.Get(XenbusKeys.Vif) ?? throw new ControlProtocolException("missing key 'vif'");
            Mac = ParseMac(m, XenbusKeys.Mac) ?? throw new ControlProtocolException("missing key 'mac'");
            BackendMac = ParseMac(m, XenbusKeys.BackendMac) ?? PhysicalAddress.None;
            Mtu = m.GetInt(XenbusKeys.Mtu, 68, 65535);
            DomId = m.GetInt(XenbusKeys.DomId, 0, 32752, 0);
            DevId = m.GetInt(XenbusKeys.Handle, 0, 255, 0);
            TxOffloads = _options.Offloads ? ReadTxOffloads(m) : OffloadFeatures.None;
        }
        catch (ControlProtocolException e)
        {
            throw new NetfrontException($"protocol error in the backend's Connected: {e.Message}", e);
        }
    }

    /// <summary>
    /// The vif's effective guest-TX features from Connected (the Hello's keys; absent = 0, as from
    /// a backend that predates offloads). Csum stands for feature-ipv6-csum-offload (IPv4 csum_blank
    /// is always accepted in Xen); TSO needs feature-sg too, and Csum, as Linux's netdev_fix_features.
    /// </summary>
    private static OffloadFeatures ReadTxOffloads(ControlMessage m)
    {
        var f = OffloadFeatures.None;
        bool sg = m.GetFlag(XenbusKeys.FeatureSg);
        if (m.GetFlag(XenbusKeys.FeatureIpv6CsumOffload))
        {
            f |= OffloadFeatures.Csum;
        }
        if (sg && m.GetFlag(XenbusKeys.FeatureGsoTcpV4))
        {
            f |= OffloadFeatures.Tso4;
        }
        if (sg && m.GetFlag(XenbusKeys.FeatureGsoTcpV6))
        {
            f |= OffloadFeatures.Tso6;
        }
        return f.Normalize();
    }

    private static PhysicalAddress? ParseMac(ControlMessage m, string key)
    {
        string? text = m.Get(key);
        if (text is null)
        {
            return null;
        }
        if (!PhysicalAddress.TryParse(text, out var mac) || mac.GetAddressBytes().Length != 6)
        {
            throw new ControlProtocolException($"'{key}' = '{ControlMessage.Truncate(text)}' is not an Ethernet MAC");
        }
        return mac;
    }

    private ReceivedControlMessage ReceiveDuringHandshake(string expected)
    {
        ReceivedControlMessage received;
        try
        {
            received = _channel.Receive(_options.HandshakeTimeout);
        }
        catch (TimeoutException e)
        {
            throw new NetfrontException($"no {expected} from the backend within {_options.HandshakeTimeout.TotalSeconds:0.#} s", e);
        }
        catch (ControlChannelClosedException e)
        {
            throw new NetfrontException($"the backend closed the connection while this frontend waited for {expected}", e);
        }
        catch (ControlProtocolException e)
        {
            throw new NetfrontException($"protocol error while waiting for {expected}: {e.Message}", e);
        }
        catch (Win32Exception e)
        {
            throw new NetfrontException($"the control connection failed while waiting for {expected}: {e.Message}", e);
        }
        if (received.Fds.Length != 0)
        {
            received.Dispose();
            throw new NetfrontException($"protocol error: the backend's {expected} carried file descriptors");
        }
        return received;
    }
}
