namespace Netback.Daemon.Interface;

/// <summary>The state file of runtime declarations cannot be trusted, read or written; the message says which and why.</summary>
internal sealed class VifStateException : Exception
{
    public VifStateException(string message) : base(message) { }

    public VifStateException() { }

    public VifStateException(string message, Exception inner) : base(message, inner) { }
}
