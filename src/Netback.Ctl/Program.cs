using System.CommandLine;

namespace Netback.Ctl;

/// <summary><c>netbackctl</c>: administer a running netbackd over its admin socket (root only).</summary>
internal static class Program
{
    public const string DefaultAdminSocket = "/run/netback/admin.sock";

    public static int Main(string[] args)
    {
        var socket = new Option<string>("--admin-socket")
        {
            Description = "netbackd's admin socket (Netback:AdminSocketPath).",
            DefaultValueFactory = _ => DefaultAdminSocket,
            Recursive = true,
        };
        var root = new RootCommand("Administer netbackd: declare vifs and their owners, list them, change a vif's rate, show a vif as xenstore-ls would, watch its counters.")
        {
            socket,
            ListCommand.Create(socket),
            SetCommand.Create(socket),
            VifAddCommand.Create(socket),
            VifDelCommand.Create(socket),
            VifListCommand.Create(socket),
            ShowCommand.Create(socket),
            StatsCommand.Create(socket),
        };
        return root.Parse(args).Invoke();
    }
}
