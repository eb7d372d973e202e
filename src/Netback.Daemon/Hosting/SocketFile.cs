using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Netback.Daemon.Hosting;

internal static unsafe class SocketFile
{
    /// <summary>
    /// Gives the socket file to group <paramref name="gid"/> (lchown: the path is ours, never a
    /// link to follow). Called before the socket is published at its real path, so no peer ever
    /// connects before it.
    /// </summary>
    public static void SetGroup(string path, uint gid)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            if (lchown(p, uint.MaxValue, gid) != 0)
            {
                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                throw new InvalidOperationException($"cannot give {path} to gid {gid}: {new System.ComponentModel.Win32Exception(errno).Message} (errno {errno})");
            }
        }
    }

    /// <summary>Is <paramref name="path"/> a Unix socket (lstat, links not followed)?</summary>
    public static bool IsSocket(string path) => TryStat(path) is { IsSocket: true };

    /// <summary>lstat of <paramref name="path"/>; null if it does not exist (or cannot be looked at).</summary>
    public static SocketFileStat? TryStat(string path)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(path + "\0");
        stat st;
        fixed (byte* p = bytes)
        {
            if (lstat(p, &st) != 0)
            {
                return null;
            }
        }
        return new SocketFileStat((st.st_mode & S_IFMT) == S_IFSOCK, (int)(st.st_mode & 0xfff), st.st_gid, st.st_dev, st.st_ino);
    }
}
