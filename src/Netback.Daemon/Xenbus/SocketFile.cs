using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Netback.Daemon.Xenbus;

internal static unsafe class SocketFile
{
    /// <summary>Is <paramref name="path"/> a Unix socket (lstat, links not followed)?</summary>
    public static bool IsSocket(string path)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(path + "\0");
        stat st;
        fixed (byte* p = bytes)
        {
            if (lstat(p, &st) != 0)
            {
                return false;
            }
        }
        return (st.st_mode & S_IFMT) == S_IFSOCK;
    }
}
