using Microsoft.Extensions.Logging;
using Netback.Daemon.Configuration;
using Netback.Daemon.Diagnostics;
using Netback.Tests.Support;
using Netfront.Client;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// Declared vifs through the real session (in-process backend; the frontend is this process, held to
/// its declarations with RootSelfService off): a refusal is one Error line to the frontend, one
/// Warning, one count, and no TAP, reservation or lease; an admitted frontend reads its MAC and MTU
/// from Connected, and a netfront that restates its MAC on reconnect gets the same vif.
/// </summary>
public sealed class DeclaredVifSessionTests
{
    private static readonly uint Me = Tmds.Linux.LibC.geteuid();

    private static InProcessBackend Backend(out List<string> created)
    {
        var backend = new InProcessBackend(o =>
        {
            o.Access.RootSelfService = false;
            o.Vifs.Add(new VifDeclarationOptions { DomId = 5, Uid = Me, Spec = "mac=00:16:3e:00:05:00,mtu=1400,ip=10.0.5.2,vifname=web5" });
            o.Vifs.Add(new VifDeclarationOptions { DomId = 6, Uid = Me + 1 });
        });
        var list = new List<string>();
        backend.Taps.Created += (name, _) =>
        {
            lock (list)
            {
                list.Add(name);
            }
        };
        created = list;
        return backend;
    }

    private static string Refused(InProcessBackend backend, RefusalReason reason, string? vifSpec, int? domId)
    {
        long counted = RefusalCounters.Read(reason);
        int warnings = backend.Logs.Entries.Count(e => e.Level == LogLevel.Warning && e.Id.Id == 40);
        using var f = HostileFrontend.Open(backend.SocketPath);
        var m = HostileFrontend.StandardConnect();
        if (vifSpec is not null)
        {
            m.Set(XenbusKeys.VifSpec, vifSpec);
        }
        if (domId is { } d)
        {
            m.Set(XenbusKeys.DomId, d);
        }
        f.SendConnect(m, f.StandardFds());
        var error = f.ReceiveControl();
        Assert.Equal(ControlMessageType.Error, error.Type);
        string text = error.Get(XenbusKeys.Reason)!;
        Assert.True(f.WaitForEof(), "the backend kept the refused connection open");
        Assert.Equal(0, backend.Registry.Count);
        Assert.True(RefusalCounters.Read(reason) > counted, $"netback.connections.refused{{reason={reason.ToTag()}}} did not grow");
        var now = backend.Logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Id.Id == 40).ToArray();
        Assert.Equal(warnings + 1, now.Length);
        Assert.Contains(text, now[^1].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(backend.Logs.Entries, e => e.Id.Id == 5 && e.Message.Contains(text, StringComparison.Ordinal)); // once
        return text;
    }

    [Fact]
    public async Task Another_owners_vif_an_undeclared_one_and_host_side_keys_are_refused_with_nothing_created()
    {
        await using var backend = Backend(out var created);
        Assert.Equal($"vif6.0 is not declared for uid {Me}", Refused(backend, RefusalReason.NotOwner, null, 6));
        Assert.Contains("vif9.0 is not declared", Refused(backend, RefusalReason.NotDeclared, null, 9), StringComparison.Ordinal);
        Assert.Contains("mac=", Refused(backend, RefusalReason.HostKey, "mac=00:16:3e:00:00:66", 5), StringComparison.Ordinal);
        Assert.Contains("ip=", Refused(backend, RefusalReason.HostKey, "ip=0.0.0.0/0 ::/0", 5), StringComparison.Ordinal);
        Assert.Contains("mtu=", Refused(backend, RefusalReason.HostKey, "mtu=68", 5), StringComparison.Ordinal);
        Assert.Empty(created);

        using var owned = HostileFrontend.Connect(backend.SocketPath, "offloads=off", m => m.Set(XenbusKeys.DomId, 5));
        Assert.Equal("web5", owned.VifName);
        Assert.Equal("00:16:3e:00:05:00", owned.Connected!.Get(XenbusKeys.Mac));
        Assert.Equal("1400", owned.Connected!.Get(XenbusKeys.Mtu));
        Assert.Equal("0", owned.Connected!.Get(XenbusKeys.FeatureGsoTcpV4));
        Assert.Equal(["web5"], created);
    }

    [Fact]
    public async Task A_netfront_naming_no_vif_gets_the_one_it_owns_and_reconnects_to_it_restating_its_mac()
    {
        await using var backend = Backend(out _);
        string mac;
        using (var first = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, HandshakeTimeout = Patience }))
        {
            Assert.Equal("web5", first.VifName);
            Assert.Equal(1400, first.Mtu);
            mac = string.Join(':', first.Mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal("00:16:3e:00:05:00", mac);
        }
        Assert.True(backend.WaitForVifCount(0, Patience));
        // What netfront attach asks for on reconnect: the same ids, restating its MAC.
        using var again = NetfrontDevice.Connect(new NetfrontOptions
        {
            SocketPath = backend.SocketPath, HandshakeTimeout = Patience, DomId = 5, DevId = 0, VifSpec = $"mac={mac}",
        });
        Assert.Equal("web5", again.VifName);
        AssertPassesFramesBothWays(backend, again, 0x51);
    }
}
