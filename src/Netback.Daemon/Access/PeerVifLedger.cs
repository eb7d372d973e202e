namespace Netback.Daemon.Access;

/// <summary>How many vifs each uid holds, so a per-uid limit is checked and taken in one step.</summary>
internal sealed class PeerVifLedger
{
    private readonly object _lock = new();
    private readonly Dictionary<uint, int> _held = [];

    public int Held(uint uid)
    {
        lock (_lock)
        {
            return _held.GetValueOrDefault(uid);
        }
    }

    /// <summary>Runs <paramref name="decide"/> with the uid's count and takes one more if it allows; atomic.</summary>
    public AccessDecision TryTake(uint uid, Func<int, AccessDecision> decide)
    {
        lock (_lock)
        {
            int held = _held.GetValueOrDefault(uid);
            var decision = decide(held);
            if (decision.IsAllowed)
            {
                _held[uid] = held + 1;
            }
            return decision;
        }
    }

    public void Return(uint uid)
    {
        lock (_lock)
        {
            int held = _held.GetValueOrDefault(uid) - 1;
            if (held <= 0)
            {
                _held.Remove(uid);
            }
            else
            {
                _held[uid] = held;
            }
        }
    }
}
