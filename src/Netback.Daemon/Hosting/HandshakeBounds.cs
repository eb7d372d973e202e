using Netback.Daemon.Diagnostics;

namespace Netback.Daemon.Hosting;

/// <summary>
/// Connections accepted that are not yet a vif (Netback:MaxPendingHandshakes daemon-wide,
/// Netback:MaxPendingHandshakesPerUid per uid): a connection beyond either is refused at accept. The
/// per-uid bound comes first, so a uid that floods is told its own limit and the others keep their
/// share of the daemon-wide one. The xenbus loop's alone: no lock.
/// </summary>
internal sealed class HandshakeBounds
{
    private readonly int _max;
    private readonly int _perUid;
    private readonly Dictionary<uint, int> _byUid = [];

    public HandshakeBounds(int max, int perUid)
    {
        _max = max;
        _perUid = perUid;
    }

    public int Pending { get; private set; }

    public int PendingFor(uint uid) => _byUid.GetValueOrDefault(uid);

    /// <summary>Null when one more from <paramref name="uid"/> fits; else the reason and the frontend's one line.</summary>
    public (RefusalReason Reason, string Message)? Check(uint uid)
    {
        int mine = PendingFor(uid);
        if (mine >= _perUid)
        {
            return (RefusalReason.UidHandshakeLimit,
                $"uid {uid} has {mine} handshakes pending, the limit is {_perUid} (Netback:MaxPendingHandshakesPerUid)");
        }
        if (Pending >= _max)
        {
            return (RefusalReason.HandshakeLimit,
                $"the backend has {Pending} handshakes pending, the limit is {_max} (Netback:MaxPendingHandshakes); try again");
        }
        return null;
    }

    public void Add(uint uid)
    {
        Pending++;
        _byUid[uid] = PendingFor(uid) + 1;
    }

    public void Remove(uint uid)
    {
        Pending--;
        int left = PendingFor(uid) - 1;
        if (left <= 0)
        {
            _byUid.Remove(uid);
        }
        else
        {
            _byUid[uid] = left;
        }
    }
}
