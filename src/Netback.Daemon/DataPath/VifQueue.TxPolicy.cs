using System.Diagnostics;
using Netback.Daemon.DataPath;

namespace Netback.Daemon.Interface;

/// <summary>
/// The queue's side of the vif's guest-TX policy: the credit check (<c>rate=</c>, netback's
/// <c>tx_credit_exceeded</c>) before a packet is consumed, and the anti-spoofing check just before
/// it is written. The policy objects are the vif's (<see cref="Vif.TxCredit"/>, <see cref="Vif.TxFilter"/>).
/// </summary>
internal sealed unsafe partial class VifQueue
{
    /// <summary>Longest sleep while out of credit, so a live rate change is seen soon even with long intervals.</summary>
    private const int MaxCreditSleepMs = 100;

    /// <summary>Set when TxPacket left a packet on the ring for lack of credit; cleared per TX action.</summary>
    private bool _txRateLimited;
    private long _txCreditWaitTicks;

    /// <summary>
    /// Charges a packet of <paramref name="size"/> bytes (the first slot's total) to the vif's credit.
    /// False: out of credit; the caller leaves the packet on the ring and the worker sleeps until the
    /// next window (<see cref="TxCreditTimeoutMs"/>).
    /// </summary>
    private bool TxCreditAvailable(int size)
    {
        var credit = _vif.TxCredit;
        if (!credit.IsLimited || credit.TryConsume(size, Stopwatch.GetTimestamp(), out _txCreditWaitTicks))
        {
            return true;
        }
        _txRateLimited = true;
        Counters.TxRateLimited++;
        return false;
    }

    /// <summary>epoll_wait timeout: -1 (block) unless guest TX waits for credit.</summary>
    private int TxCreditTimeoutMs() =>
        _txRateLimited ? Math.Min(MaxCreditSleepMs, _vif.TxCredit.TicksToTimeoutMs(_txCreditWaitTicks)) : -1;

    /// <summary>
    /// Anti-spoofing on <paramref name="headers"/>, the private copy of the frame's first bytes that
    /// is also what the TAP will get; counts a drop by reason. Null when the frame may go.
    /// </summary>
    private TxDropReason? TxSpoofCheck(ReadOnlySpan<byte> headers)
    {
        var filter = _vif.TxFilter;
        if (filter is null)
        {
            return null;
        }
        var reason = filter.Check(headers);
        if (reason == SpoofDropReason.None)
        {
            return null;
        }
        Counters.SpoofDrops[(int)reason]++;
        return TxDropReason.Spoofed;
    }
}
