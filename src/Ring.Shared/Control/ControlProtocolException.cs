namespace Ring.Shared.Control;

/// <summary>A control message that breaks the protocol: the connection ends, nothing else does.</summary>
public sealed class ControlProtocolException : Exception
{
    public ControlProtocolException(string message) : base(message) { }
    public ControlProtocolException() { }
    public ControlProtocolException(string message, Exception inner) : base(message, inner) { }
}
