using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Netfront.Client;

namespace UserspaceGuest;

/// <summary>The sample's command line.</summary>
internal sealed class GuestOptions
{
    public const string Usage = "usage: userspace-guest --address IPV4 [--socket PATH] [--udp-echo-port N] [--queues N]";

    public string SocketPath { get; private set; } = NetfrontOptions.DefaultSocketPath;

    public IPAddress Address { get; private set; } = IPAddress.None;

    public int UdpEchoPort { get; private set; } = 7;

    public int Queues { get; private set; } = 1;

    public static bool TryParse(string[] args, [NotNullWhen(true)] out GuestOptions? options, out string? error)
    {
        var o = new GuestOptions();
        options = null;
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--socket" when value is not null:
                    o.SocketPath = value;
                    break;
                case "--address" when IPAddress.TryParse(value?.Split('/')[0], out var address) && address.AddressFamily == AddressFamily.InterNetwork:
                    o.Address = address;
                    break;
                case "--udp-echo-port" when int.TryParse(value, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536:
                    o.UdpEchoPort = port;
                    break;
                case "--queues" when int.TryParse(value, CultureInfo.InvariantCulture, out int queues) && queues > 0:
                    o.Queues = queues;
                    break;
                default:
                    error = $"bad argument {args[i]} {value}";
                    return false;
            }
            i++;
        }
        if (o.Address.Equals(IPAddress.None))
        {
            error = "--address is required";
            return false;
        }
        options = o;
        return true;
    }
}
