using System.Runtime.InteropServices;
using System.Text;

namespace Ring.Shared.Interop;

/// <summary>
/// grp.h's <c>getgrnam_r</c> (not in Tmds.LibC): group names go through NSS, so a group from LDAP
/// or sssd resolves as <c>id</c> and <c>chgrp</c> would resolve it, which parsing /etc/group would not.
/// </summary>
internal static unsafe partial class Group
{
    /// <summary>struct group on LP64: gr_name, gr_passwd, gr_gid (padded), gr_mem.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct group
    {
        public byte* gr_name;
        public byte* gr_passwd;
        public uint gr_gid;
        public byte** gr_mem;
    }

    private const int ERANGE = 34;

    [LibraryImport(Libc.Name, SetLastError = true)]
    private static partial int getgrnam_r(byte* name, group* grp, byte* buf, nuint buflen, group** result);

    /// <summary>The gid of group <paramref name="name"/>; false if no such group exists.</summary>
    public static bool TryGetGid(string name, out uint gid)
    {
        gid = 0;
        byte[] nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        // Groups with thousands of members need a bigger buffer than the usual 1 KiB; ERANGE says so.
        for (int size = 4096; size <= 1 << 22; size *= 4)
        {
            byte[] buffer = new byte[size];
            group grp;
            group* result;
            int rc;
            fixed (byte* n = nameBytes)
            fixed (byte* b = buffer)
            {
                rc = getgrnam_r(n, &grp, b, (nuint)size, &result);
            }
            if (rc == ERANGE)
            {
                continue;
            }
            if (rc != 0)
            {
                throw NativeError.Exception("getgrnam_r", rc);
            }
            if (result == null)
            {
                return false;
            }
            gid = grp.gr_gid;
            return true;
        }
        throw NativeError.Exception("getgrnam_r", ERANGE);
    }
}
