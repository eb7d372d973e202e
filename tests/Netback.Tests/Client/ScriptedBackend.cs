using System.Net.Sockets;
using Ring.Shared.Abi;
using Ring.Shared.Control;

namespace Netback.Tests.Client;

/// <summary>
/// A backend reduced to its control messages: sends a Hello, records the frontend's Connect (closing
/// the fds it carried), answers with a Connected whose extra keys the test chooses, then waits for
/// Closing and hangs up. For what the frontend says and reads, without a data path.
/// </summary>
internal sealed class ScriptedBackend : IDisposable
{
    private readonly string _dir;
    private readonly Socket _listener;
    private readonly Task _session;

    public ScriptedBackend(Action<ControlMessage>? connected = null)
    {
        _dir = Directory.CreateTempSubdirectory("netfront-scripted-").FullName;
        SocketPath = Path.Combine(_dir, "nb.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(1);
        _session = Task.Run(() => Serve(connected));
    }

    public string SocketPath { get; }

    /// <summary>The frontend's Connect, once it has arrived.</summary>
    public ControlMessage? Connect { get; private set; }

    private void Serve(Action<ControlMessage>? connected)
    {
        using var channel = new ControlChannel(_listener.Accept());
        var hello = new ControlMessage(ControlMessageType.Hello) { State = XenbusState.InitWait };
        hello.Set(XenbusKeys.ProtocolVersion, ControlCodec.Version);
        hello.Set(XenbusKeys.FeatureRxCopy, true);
        hello.Set(XenbusKeys.FeatureSplitEventChannels, true);
        hello.Set(XenbusKeys.MultiQueueMaxQueues, 4);
        hello.Set(XenbusKeys.MaxRingPageOrder, 4);
        hello.Set(XenbusKeys.RingLayouts, "xen cacheline");
        channel.Send(hello);

        using (var received = channel.Receive(TimeSpan.FromSeconds(10)))
        {
            Connect = received.Message;
        }
        var reply = new ControlMessage(ControlMessageType.Connected) { State = XenbusState.Connected };
        reply.Set(XenbusKeys.Vif, "vif1.0");
        reply.Set(XenbusKeys.DomId, 1);
        reply.Set(XenbusKeys.Handle, 0);
        reply.Set(XenbusKeys.Mac, "00:16:3e:00:00:01");
        reply.Set(XenbusKeys.BackendMac, "fe:ff:ff:ff:ff:ff");
        reply.Set(XenbusKeys.Mtu, 1500);
        connected?.Invoke(reply);
        channel.Send(reply);
        try
        {
            using var closing = channel.Receive(TimeSpan.FromSeconds(10)); // Closing: hang up as netbackd does
        }
        catch (Exception e) when (e is TimeoutException or ControlChannelClosedException)
        {
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        try
        {
            _session.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // a test that failed early leaves the session failed: nothing to add
        }
        Directory.Delete(_dir, recursive: true);
    }
}
