using System.Net.Sockets;
using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Control;

/// <summary>The peer closed the control connection (or it failed): the session is over.</summary>
public sealed class ControlChannelClosedException : Exception
{
    public ControlChannelClosedException(string message) : base(message) { }
    public ControlChannelClosedException() { }
    public ControlChannelClosedException(string message, Exception inner) : base(message, inner) { }
}
