namespace Netback.Daemon.Access;

/// <summary>The access policy refused a Connect; the gate has logged and counted it already.</summary>
internal sealed class AccessRefusedException : Exception
{
    public AccessRefusedException(string message) : base(message) { }

    public AccessRefusedException() { }

    public AccessRefusedException(string message, Exception inner) : base(message, inner) { }
}
