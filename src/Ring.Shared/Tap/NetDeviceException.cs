using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ring.Shared.Interop;
using static Ring.Shared.Interop.Tun;

namespace Ring.Shared.Tap;

public sealed class NetDeviceException : Exception
{
    public NetDeviceException(string message, int errno) : base(message) => Errno = errno;
    public NetDeviceException() { }
    public NetDeviceException(string message) : base(message) { }
    public NetDeviceException(string message, Exception inner) : base(message, inner) { }

    public int Errno { get; }
}
