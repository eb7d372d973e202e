using System.Text;
using Ring.Shared.Abi;
using Ring.Shared.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Ring.Shared.Memory;

/// <summary>A grant area that must be refused: wrong kind of fd, unsealed, or of the wrong size.</summary>
public sealed class GrantAreaException : Exception
{
    public GrantAreaException(string message) : base(message) { }
    public GrantAreaException() { }
    public GrantAreaException(string message, Exception inner) : base(message, inner) { }
}
