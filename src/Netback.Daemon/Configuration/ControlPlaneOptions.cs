namespace Netback.Daemon.Configuration;

/// <summary>
/// The control plane's bounds (section <c>Netback</c>, beside <see cref="NetbackOptions"/>): what a
/// crowd of connecting frontends may hold before they are refused at accept, how many threads build
/// and tear down vifs, and how long a stop may take. Validated at start.
/// </summary>
public sealed class ControlPlaneOptions
{
    /// <summary>
    /// Connections accepted that have not yet become a vif (waiting for their Connect, or being
    /// built), daemon-wide. Each costs an fd and a few hundred bytes; an honest handshake lasts
    /// milliseconds, so even every vif of a full daemon reconnecting at once after a restart
    /// (netfront retries a refusal with backoff) stays far below this.
    /// </summary>
    public int MaxPendingHandshakes { get; set; } = 128;

    /// <summary>
    /// The same, per uid (SO_PEERCRED), so one uid cannot take the daemon-wide bound from the others:
    /// as many as the vifs a uid may hold by default (Access:MaxVifsPerUid), so a uid can always
    /// connect all of them at once.
    /// </summary>
    public int MaxPendingHandshakesPerUid { get; set; } = 16;

    /// <summary>
    /// Threads that build vifs (map, TAP, bridge) and tear them down (join the workers), off the
    /// xenbus loop. Two: one teardown stuck joining a worker (up to 5 s) leaves the other building.
    /// </summary>
    public int ControlWorkerThreads { get; set; } = 2;

    /// <summary>
    /// How long a stop (SIGTERM) may take to tell every frontend Closing and tear the vifs down; a
    /// teardown still running then is logged and left to the process exit. Below the unit's
    /// TimeoutStopSec (20 s), so systemd never has to SIGKILL a daemon that is merely slow.
    /// </summary>
    public int ShutdownTimeoutSeconds { get; set; } = 10;
}
