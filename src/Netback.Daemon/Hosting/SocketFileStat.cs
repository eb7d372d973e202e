namespace Netback.Daemon.Hosting;

/// <summary>
/// What lstat says of a socket path: its kind, permission bits and group, and its identity (device
/// and inode), by which a daemon tells the socket file it published from one a later daemon put there.
/// </summary>
internal readonly record struct SocketFileStat(bool IsSocket, int Mode, uint Gid, ulong Device, ulong Inode)
{
    public bool SameFile(SocketFileStat other) => Device == other.Device && Inode == other.Inode;
}
