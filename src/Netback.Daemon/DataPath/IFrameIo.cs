using Ring.Shared.Interop;

namespace Netback.Daemon.DataPath;

/// <summary>
/// Where a queue's frames go and come from: the vif's TAP (<see cref="TapFrameIo"/>) or, for the
/// ring-only benchmark, nowhere (<see cref="NullFrameIo"/>). A struct type argument of the paths,
/// so the call is resolved at compile time: no interface dispatch per packet.
/// </summary>
internal unsafe interface IFrameIo
{
    /// <summary>Writes one guest-TX frame (virtio_net_hdr first); false when the device refused it.</summary>
    bool Write(int tapFd, Uio.iovec* iov, int count);

    /// <summary>Reads one frame into <paramref name="iov"/>: bytes read (vnet header included), 0 when none waits, &lt; 0 on error (errno set).</summary>
    nint Read(int tapFd, Uio.iovec* iov, int count);

    /// <summary>Reads one waiting frame into <paramref name="buffer"/> and drops it; false when none waits.</summary>
    bool Discard(int tapFd, byte* buffer, int length);
}
