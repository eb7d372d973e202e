namespace Netback.Daemon.Interface;

/// <summary>A vif could not be set up from its plan (a missing or wrong fd, a name or id in use, no room); nothing was kept.</summary>
internal sealed class VifSetupException : Exception
{
    public VifSetupException(string message) : base(message) { }

    public VifSetupException() { }

    public VifSetupException(string message, Exception inner) : base(message, inner) { }
}
