using Netback.Daemon.Configuration;
using Netback.Tests.Support;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Admin;

/// <summary>
/// netbackctl's <c>vif-add</c>, <c>vif-del</c>, <c>vif-list</c> and <c>set rate=</c> on declarations, as
/// <c>xl network-attach</c>/<c>network-detach</c>/<c>network-list</c>: the backend here holds root to
/// its declarations (RootSelfService off), so the in-process frontend is any owner.
/// </summary>
public sealed class VifDeclarationCommandTests
{
    private static readonly string Me = ((uint)Tmds.Linux.LibC.geteuid()).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static AdminBench Bench(Action<NetbackOptions>? configure = null) => AdminBench.Start(o =>
    {
        o.Access.RootSelfService = false;
        configure?.Invoke(o);
    });

    private static HostileFrontend Connect(AdminBench bench, int domId, string? vifSpec = null) =>
        HostileFrontend.Connect(bench.Backend.SocketPath, vifSpec, m => m.Set(XenbusKeys.DomId, domId));

    [Fact]
    public async Task A_vif_added_at_runtime_is_listed_and_its_owner_gets_its_mac_and_mtu()
    {
        await using var bench = Bench();
        var added = bench.Ok("command=vif-add", "domid=7", "handle=1", $"uid={Me}", "spec=mac=00:16:3e:00:07:01,mtu=1400,vifname=web7");
        Assert.Equal("web7", added.Get("name"));

        var list = bench.Ok("command=vif-list");
        Assert.Equal("1", list.Get("vif-count"));
        Assert.Equal("7", list.Get("vif-0/domid"));
        Assert.Equal("1", list.Get("vif-0/handle"));
        Assert.Equal("web7", list.Get("vif-0/name"));
        Assert.Equal($"uid {Me}", list.Get("vif-0/owner"));
        Assert.Equal("00:16:3e:00:07:01", list.Get("vif-0/mac"));
        Assert.Equal("runtime", list.Get("vif-0/source"));
        Assert.Equal("0", list.Get("vif-0/connected"));

        using var f = HostileFrontend.Connect(bench.Backend.SocketPath, null, m =>
        {
            m.Set(XenbusKeys.DomId, 7);
            m.Set(XenbusKeys.Handle, 1);
        });
        Assert.Equal("web7", f.VifName);
        Assert.Equal("00:16:3e:00:07:01", f.Connected!.Get(XenbusKeys.Mac));
        Assert.Equal("1400", f.Connected!.Get(XenbusKeys.Mtu));
        Assert.Equal("1", bench.Ok("command=vif-list").Get("vif-0/connected"));
    }

    [Theory]
    [InlineData("needs an owner", "command=vif-add", "domid=7")]
    [InlineData("DomId must be 1..32751", "command=vif-add", "domid=0", "uid=0")]
    [InlineData("DomId must be 1..32751", "command=vif-add", "domid=40000", "uid=0")]
    [InlineData("DevId must be 0..255", "command=vif-add", "domid=7", "handle=300", "uid=0")]
    [InlineData("script '../../bin/sh' is not a script name", "command=vif-add", "domid=7", "uid=0", "spec=script=../../bin/sh")]
    [InlineData("vifname vif8.0 has the form of another vif's generated name", "command=vif-add", "domid=7", "uid=0", "spec=vifname=vif8.0")]
    [InlineData("uid 'root' is not a number", "command=vif-add", "domid=7", "uid=root")]
    public async Task A_bad_vif_add_is_refused_with_the_reason(string reason, params string[] request)
    {
        await using var bench = Bench();
        Assert.Contains(reason, bench.Refused(request), StringComparison.Ordinal);
        Assert.Equal("0", bench.Ok("command=vif-list").Get("vif-count"));
    }

    [Fact]
    public async Task A_vif_add_may_not_take_declared_or_live_ids_names_or_macs()
    {
        await using var bench = Bench(o => o.Access.RootSelfService = true);
        bench.Ok("command=vif-add", "domid=7", "uid=0", "spec=vifname=web7,mac=00:16:3e:00:07:00");
        Assert.Contains("domid 7 devid 0 is declared already", bench.Refused("command=vif-add", "domid=7", "uid=1"), StringComparison.Ordinal);
        Assert.Contains("the name web7 is declared already", bench.Refused("command=vif-add", "domid=8", "uid=0", "spec=vifname=web7"), StringComparison.Ordinal);
        Assert.Contains("mac 00:16:3e:00:07:00 is declared already", bench.Refused("command=vif-add", "domid=8", "uid=0", "spec=mac=00:16:3e:00:07:00"), StringComparison.Ordinal);

        // A live vif nobody declared (root's convenience) keeps its ids and name from a declaration.
        using var live = HostileFrontend.Connect(bench.Backend.SocketPath, "vifname=live0", m => m.Set(XenbusKeys.DomId, 9));
        Assert.Contains("vif9.0 is in use by a vif nobody declared", bench.Refused("command=vif-add", "domid=9", "uid=0"), StringComparison.Ordinal);
        Assert.Contains("a network device named live0 exists already", bench.Refused("command=vif-add", "domid=10", "uid=0", "spec=vifname=live0"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vif_del_refuses_a_connected_vif_and_force_disconnects_it()
    {
        await using var bench = Bench();
        bench.Ok("command=vif-add", "domid=7", $"uid={Me}");
        using var f = Connect(bench, 7);
        Assert.Contains("vif7.0 is connected", bench.Refused("command=vif-del", "domid=7"), StringComparison.Ordinal);

        var deleted = bench.Ok("command=vif-del", "domid=7", "force=1");
        Assert.Equal("1", deleted.Get("disconnected"));
        AssertReason(f.ReceiveControl(), ControlMessageType.State, XenbusState.Closing, "deleted by the operator");
        Assert.True(bench.Backend.WaitForVifCount(0, Patience));
        Assert.Equal("0", bench.Ok("command=vif-list").Get("vif-count"));

        // Gone: its frontend, reconnecting, is refused.
        using var again = HostileFrontend.Open(bench.Backend.SocketPath);
        var m = HostileFrontend.StandardConnect();
        m.Set(XenbusKeys.DomId, 7);
        again.SendConnect(m, again.StandardFds());
        AssertReason(again.ReceiveControl(), ControlMessageType.Error, XenbusState.Closing, "vif7.0 is not declared");
        Assert.Contains("vif7.0 is not declared", bench.Refused("command=vif-del", "domid=7"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_vif_is_not_the_admin_channels_to_delete()
    {
        await using var bench = Bench(o => o.Vifs.Add(new VifDeclarationOptions { DomId = 3, Uid = 0 }));
        Assert.Contains("declared in the configuration", bench.Refused("command=vif-del", "domid=3"), StringComparison.Ordinal);
        Assert.Equal("configuration", bench.Ok("command=vif-list").Get("vif-0/source"));
    }

    [Fact]
    public async Task Set_rate_updates_the_declaration_so_a_reconnect_keeps_it()
    {
        await using var bench = Bench();
        bench.Ok("command=vif-add", "domid=7", $"uid={Me}", "spec=rate=10Mb/s");
        using (var f = Connect(bench, 7))
        {
            Assert.Equal("1Mb/s@20ms", bench.Ok("command=set", "vif=vif7.0", "rate=1Mb/s@20ms").Get("rate"));
            Assert.Equal("1Mb/s@20ms", bench.Backend.Registry.Snapshot().Single().Rate?.ToString());
        }
        Assert.True(bench.Backend.WaitForVifCount(0, Patience));
        using (var f = Connect(bench, 7))
        {
            Assert.Equal("1Mb/s@20ms", bench.Backend.Registry.Snapshot().Single().Rate?.ToString());
        }
        Assert.True(bench.Backend.WaitForVifCount(0, Patience));
        // And on a declared vif that is not connected: the next Connect gets it.
        Assert.Equal("none", bench.Ok("command=set", "vif=vif7.0", "rate=none").Get("rate"));
        using var last = Connect(bench, 7);
        Assert.Null(bench.Backend.Registry.Snapshot().Single().Rate);
    }

    [Fact]
    public async Task Runtime_declarations_survive_a_daemon_restart_in_the_state_file()
    {
        string state = Directory.CreateTempSubdirectory("netback-state-").FullName;
        try
        {
            await using (var first = Bench(o => o.StateDirectory = state))
            {
                first.Ok("command=vif-add", "domid=7", $"uid={Me}", "spec=mac=00:16:3e:00:07:00,rate=10Mb/s,bridge=xenbr0");
                first.Ok("command=vif-add", "domid=8", "handle=2", "gid=27", "spec=offloads=off");
                first.Ok("command=set", "vif=vif7.0", "rate=5Mb/s");
            }
            string file = Path.Combine(state, "vifs.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Empty(Directory.GetFiles(state, "*.tmp"));

            await using var second = Bench(o => o.StateDirectory = state);
            var list = second.Ok("command=vif-list");
            Assert.Equal("2", list.Get("vif-count"));
            Assert.Equal("mac=00:16:3e:00:07:00,bridge=xenbr0,rate=5Mb/s@50ms", list.Get("vif-0/spec"));
            Assert.Equal("gid 27", list.Get("vif-1/owner"));
            Assert.Equal("2", list.Get("vif-1/handle"));

            second.Ok("command=vif-del", "domid=8", "handle=2");
            Assert.DoesNotContain("\"domid\": 8", File.ReadAllText(file), StringComparison.Ordinal);
            Assert.Contains("\"domid\": 7", File.ReadAllText(file), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
