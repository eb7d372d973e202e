using Ring.Shared.Interop;
using Ring.Shared.Offload;
using static Ring.Shared.Interop.Tun;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Tap;

public sealed class TapException : Exception
{
    public TapException(string message, int errno) : base(message) => Errno = errno;
    public TapException() { }
    public TapException(string message) : base(message) { }
    public TapException(string message, Exception inner) : base(message, inner) { }

    public int Errno { get; }
}
