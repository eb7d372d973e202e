using System.Reflection;

namespace Netback.Daemon.Hosting;

/// <summary><c>netbackd --help</c> and <c>--version</c>: printed, exit 0, nothing started.</summary>
internal static class CommandLineInfo
{
    public const string Usage = """
        Usage: netbackd [options]

        The Netback backend daemon: serves netfront frontends on a SOCK_SEQPACKET Unix socket and
        bridges each vif onto a TAP device. Needs CAP_NET_ADMIN and /dev/net/tun (run it as root,
        or as systemd/netback.service). Configuration: appsettings.json beside the binary, then
        /etc/netback/netback.json, then NETBACK_ environment variables, then the command line.

        Options:
          --socket PATH               control socket (Netback:SocketPath, default /run/netback/netback.sock)
          --admin-socket PATH         admin socket for netbackctl (Netback:AdminSocketPath, default /run/netback/admin.sock)
          --max-queues N              queues per vif at most (Netback:MaxQueues)
          --max-ring-page-order N     ring page order at most (Netback:MaxRingPageOrder)
          --vifspec SPEC              default vifspec, Xen's syntax (Netback:DefaultVifSpec)
          --Netback:<Key> VALUE       any other option (see README.md)
          -h, --help                  print this and exit
          --version                   print the version and exit

        Socket activation: sockets passed by systemd (LISTEN_FDS; systemd/netback.socket) are used
        instead of binding, so they outlive a restart.
        """;

    /// <summary>The exit status when <paramref name="args"/> asks for help or the version (after printing it); null otherwise.</summary>
    public static int? Answer(string[] args, TextWriter output)
    {
        foreach (string a in args)
        {
            if (a is "--help" or "-h" or "-?")
            {
                output.Write(Usage);
                return 0;
            }
            if (a == "--version")
            {
                output.WriteLine($"netbackd {Version}");
                return 0;
            }
        }
        return null;
    }

    public static string Version =>
        typeof(CommandLineInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CommandLineInfo).Assembly.GetName().Version?.ToString() ?? "unknown";
}
