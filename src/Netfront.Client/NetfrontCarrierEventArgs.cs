namespace Netfront.Client;

/// <summary>What a <see cref="NetfrontConnection"/> reports: the carrier going off or on, a failed attempt, the end.</summary>
public sealed class NetfrontCarrierEventArgs(bool carrierUp, string reason, int attempt, TimeSpan outage) : EventArgs
{
    /// <summary>True when a device is attached and relaying (after a reconnect), false while the backend is away.</summary>
    public bool CarrierUp { get; } = carrierUp;

    /// <summary>One line: why the carrier went off, why an attempt failed, or why the connection ended.</summary>
    public string Reason { get; } = reason;

    /// <summary>The reconnect attempt (1-based) this is about; 0 when none was made.</summary>
    public int Attempt { get; } = attempt;

    /// <summary>How long the backend has been away (from its loss to this event).</summary>
    public TimeSpan Outage { get; } = outage;
}
