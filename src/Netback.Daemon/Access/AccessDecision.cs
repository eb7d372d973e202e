using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Access;

/// <summary>The policy's answer: allowed, or refused with a reason the frontend and the log both get.</summary>
internal readonly record struct AccessDecision(RefusalReason? Reason, string? Message)
{
    public static AccessDecision Allow => default;

    public bool IsAllowed => Reason is null;

    public static AccessDecision Refuse(RefusalReason reason, string message) => new(reason, message);
}
