namespace Netback.Daemon.Access;

/// <summary>
/// Who is on the other end of a control connection, as the kernel recorded it at connect()
/// (SO_PEERCRED, SO_PEERGROUPS): not what the peer claims, and not changed by a later setuid.
/// </summary>
internal sealed record PeerIdentity(int Pid, uint Uid, uint Gid, IReadOnlyList<uint> Groups)
{
    public bool InGroup(uint gid)
    {
        if (Gid == gid)
        {
            return true;
        }
        foreach (uint g in Groups)
        {
            if (g == gid)
            {
                return true;
            }
        }
        return false;
    }
}
