using System.Net.Sockets;
using Ring.Shared.Control;

namespace Netback.Ctl;

/// <summary>One admin connection: request, reply; an Error reply becomes an <see cref="AdminException"/>.</summary>
internal sealed class AdminClient : IDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);
    private readonly ControlChannel _channel;

    private AdminClient(ControlChannel channel) => _channel = channel;

    public static AdminClient Connect(string path)
    {
        try
        {
            return new AdminClient(ControlChannel.Connect(path));
        }
        catch (SocketException e)
        {
            throw new AdminException($"cannot connect to {path}: {e.Message} (is netbackd running, and are you root?)");
        }
    }

    public ControlMessage Request(ControlMessage request)
    {
        try
        {
            _channel.Send(request);
            using var reply = _channel.Receive(ReplyTimeout);
            if (reply.Message.Type == ControlMessageType.Error)
            {
                throw new AdminException(reply.Message.Get(XenbusKeys.Reason) ?? "netbackd refused the request");
            }
            if (reply.Message.Type != ControlMessageType.AdminReply)
            {
                throw new AdminException($"unexpected {reply.Message.Type} from netbackd");
            }
            return reply.Message;
        }
        catch (Exception e) when (e is ControlChannelClosedException or ControlProtocolException or TimeoutException or SocketException)
        {
            throw new AdminException($"admin request failed: {e.Message}");
        }
    }

    public void Dispose() => _channel.Dispose();
}
