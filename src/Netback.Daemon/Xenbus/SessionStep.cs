namespace Netback.Daemon.Xenbus;

/// <summary>What the xenbus loop does with a session after telling it something.</summary>
internal enum SessionStep
{
    /// <summary>Watch its socket (and, once it has a vif, its wake eventfd).</summary>
    Poll,

    /// <summary>Stop watching it and run <see cref="FrontendSession.RunWork"/> on a control worker.</summary>
    Work,

    /// <summary>Its work is on a worker already: wait for <see cref="FrontendSession.OnWorkDone"/>.</summary>
    InFlight,

    /// <summary>It is Closed: dispose it (its socket closes, the frontend sees EOF).</summary>
    Close,
}
