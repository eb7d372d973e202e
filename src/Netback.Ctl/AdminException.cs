using System.Net.Sockets;
using Ring.Shared.Control;

namespace Netback.Ctl;

internal sealed class AdminException : Exception
{
    public AdminException(string message) : base(message) { }
    public AdminException() { }
    public AdminException(string message, Exception inner) : base(message, inner) { }
}
