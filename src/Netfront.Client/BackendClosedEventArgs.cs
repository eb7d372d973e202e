namespace Netfront.Client;

/// <summary>Why the control connection ended (see <see cref="NetfrontDevice.BackendClosed"/>).</summary>
public sealed class BackendClosedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    public BackendClosedEventArgs(string reason, bool requested)
    {
        Reason = reason;
        Requested = requested;
    }

    /// <summary>One line: what the backend said or that it closed the connection.</summary>
    public string Reason { get; }

    /// <summary>True when this side had asked to close (<see cref="NetfrontDevice.Close"/>), false when the backend went away.</summary>
    public bool Requested { get; }
}
