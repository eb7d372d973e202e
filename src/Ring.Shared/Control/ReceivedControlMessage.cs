using System.Net.Sockets;
using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Control;

/// <summary>A decoded message and the fds that came with it, owned by the receiver.</summary>
public sealed record ReceivedControlMessage(ControlMessage Message, FileDescriptorHandle[] Fds) : IDisposable
{
    /// <summary>Closes every fd not taken (set to null) by the receiver.</summary>
    public void Dispose()
    {
        foreach (var fd in Fds)
        {
            fd?.Dispose();
        }
    }
}
