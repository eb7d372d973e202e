using System.Globalization;
using Ring.Shared.Interop;

namespace Netback.Daemon.Configuration;

/// <summary>
/// The control socket's group: <c>Netback:SocketGroup</c> as a name (resolved through NSS) or a
/// numeric gid. Unset means <see cref="Default"/> if that group exists; if it does not, the daemon
/// warns and the socket keeps the daemon's group, since a fresh install has no such group yet.
/// A group that is configured explicitly and does not exist is a configuration error.
/// </summary>
internal static class SocketGroup
{
    public const string Default = "netback";

    public static bool IsConfigured(string? configured) => !string.IsNullOrWhiteSpace(configured);

    public static bool TryResolve(string name, out uint gid)
    {
        if (uint.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
        {
            return gid != uint.MaxValue; // (gid_t)-1 means "unchanged" to chown
        }
        return Group.TryGetGid(name, out gid);
    }
}
