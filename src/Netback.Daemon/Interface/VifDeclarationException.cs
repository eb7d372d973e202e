namespace Netback.Daemon.Interface;

/// <summary>A declaration the registry cannot take or give up (a clash, a connected vif, the configuration's); nothing changed.</summary>
internal sealed class VifDeclarationException : Exception
{
    public VifDeclarationException(string message) : base(message) { }

    public VifDeclarationException() { }

    public VifDeclarationException(string message, Exception inner) : base(message, inner) { }
}
