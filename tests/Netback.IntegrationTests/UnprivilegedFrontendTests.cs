using System.Text.Json;
using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// Xen's trust model end to end: a system user's netfront, run with CAP_NET_ADMIN only, connects to
/// the vif the operator declared for it with <c>netbackctl vif-add</c>, gets that vif's MAC, carries
/// iperf3 both ways, and gets the same vif back after a daemon restart (the declaration lives in the
/// state file). The same uid is refused an undeclared domid, another owner's vif, and every host-side
/// vifspec key, each with a reason naming it.
/// </summary>
public sealed class UnprivilegedFrontendTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private const string Mac = "00:16:3e:00:07:00";

    [Fact(Timeout = 240_000)]
    public async Task A_uid_gets_its_declared_vif_and_nothing_else()
    {
        Testbed bed = await CreateTestbedAsync(iperf3: true);
        SystemUser user = await SystemUser.CreateAsync(bed, Ct);
        // The user reaches the socket through its group (mode 0660), as a deployment's frontends do.
        File.SetUnixFileMode(bed.TempDir, (UnixFileMode)Convert.ToInt32("755", 8));
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        string[] daemonArgs = ["--Netback:SocketGroup", user.GidText, "--Netback:Access:AllowedUids:0", user.UidText];
        ChildProcess daemon = await bed.StartDaemonAsync(Ct, daemonArgs);

        await CtlAsync(bed, "vif-add", "7", $"uid={user.UidText}", $"mac={Mac}", $"ip={net}.2");
        await CtlAsync(bed, "vif-add", "8", "uid=0");                         // someone else's
        await CtlAsync(bed, "vif-add", "10", "0", $"uid={user.UidText}");     // the user's, left open: for the key refusals
        using (JsonDocument list = JsonDocument.Parse(await CtlAsync(bed, "vif-list", "--json")))
        {
            var vifs = list.RootElement.EnumerateArray().ToArray();
            Assert.Equal(["vif7.0", "vif8.0", "vif10.0"], vifs.Select(v => v.GetProperty("name").GetString()));
            Assert.Equal($"uid {user.Uid}", vifs[0].GetProperty("owner").GetString());
            Assert.Equal(Mac, vifs[0].GetProperty("mac").GetString());
            Assert.All(vifs, v => Assert.Equal(0, v.GetProperty("connected").GetInt32()));
        }

        string[] netfront = user.AsUser(Binaries.Netfront, "attach", "--socket", bed.SocketPath, "--name", "eth0",
            "--address", $"{net}.2/24", "--domid", "7");
        ChildProcess front = bed.Track(guest.Start($"netfront (uid {user.Uid})", netfront[0], netfront[1..]));
        string attached = await front.WaitForLineAsync(l => l.StartsWith("attached ", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
        Assert.StartsWith($"attached vif7.0 mac {Mac} ", attached, StringComparison.Ordinal);
        await daemon.WaitForLineAsync(l => l.Contains($"Control connection from pid", StringComparison.Ordinal)
            && l.Contains($"uid {user.Uid} gid {user.Gid}", StringComparison.Ordinal), TimeSpan.FromSeconds(10), Ct);
        await bed.AddHostAddressAsync("vif7.0", $"{net}.1/24", Ct);
        await bed.PingAsync(guest, $"{net}.1", Ct);
        Iperf.Figures up = await Iperf.RunAsync(bed, guest, $"{net}.1", reverse: false, Ct);
        Iperf.Figures down = await Iperf.RunAsync(bed, guest, $"{net}.1", reverse: true, Ct);
        Output.WriteLine($"uid {user.Uid} on vif7.0: iperf3 guest->host {up.Gbps} Gbit/s, host->guest {down.Gbps} Gbit/s");
        Assert.Contains("\"connected\": 1", await CtlAsync(bed, "vif-list", "--json"), StringComparison.Ordinal);

        // A daemon restart: the runtime declarations come back from the state file, the user's
        // netfront reconnects (restating its MAC) and gets vif7.0 again.
        daemon.SendSignal(Signals.SIGTERM);
        Assert.True(await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct), $"netbackd did not exit\n{daemon.Describe()}");
        daemon = await bed.StartDaemonAsync(Ct, daemonArgs);
        string again = await front.WaitForLineAsync(l => l.StartsWith("reconnected ", StringComparison.Ordinal), TimeSpan.FromSeconds(30), Ct);
        Assert.StartsWith("reconnected vif7.0 ", again, StringComparison.Ordinal);
        await bed.AddHostAddressAsync("vif7.0", $"{net}.1/24", Ct);
        await bed.PingAsync(guest, $"{net}.1", Ct);

        // The same uid, refused: an undeclared domid, another owner's vif, and each host-side key on its own open vif.
        (string[] Args, string Reason)[] refusals =
        [
            (["--domid", "9"], "vif9.0 is not declared"),
            (["--domid", "8"], $"vif8.0 is not declared for uid {user.Uid}"),
            (["--domid", "10", "--vif", "mac=00:16:3e:00:00:99"], "vifspec key mac= of vif10.0 is the operator's to set"),
            (["--domid", "10", "--vif", "ip=0.0.0.0/0 ::/0"], "vifspec key ip= of vif10.0 is the operator's to set"),
            (["--domid", "10", "--vif", "bridge=br0"], "vifspec key bridge= of vif10.0 is the operator's to set"),
            (["--domid", "10", "--vif", "rate=10Gb/s"], "vifspec key rate= of vif10.0 is the operator's to set"),
            (["--domid", "10", "--vif", "mtu=68"], "vifspec key mtu= of vif10.0 is the operator's to set"),
            (["--domid", "10", "--vif", "vifname=eth0"], "vifspec key vifname= differs from vif10.0's declaration"),
            (["--domid", "10", "--vif", "tx-copy=bounce"], "vifspec key tx-copy= of vif10.0 is the operator's to set"),
            (["--domid", "7", "--vif", "mac=00:16:3e:00:00:77"], "vif7.0 exists already"), // connected: never handed out twice
        ];
        foreach (var (args, reason) in refusals)
        {
            string[] command = user.AsUser([Binaries.Netfront, "attach", "--socket", bed.SocketPath, "--name", "eth1", "--no-reconnect", .. args]);
            ProcessResult r = await guest.RunAsync(TimeSpan.FromSeconds(30), Ct, command);
            Output.WriteLine($"netfront {string.Join(' ', args)}: exit {r.ExitCode}: {r.Stderr.Trim()}");
            Assert.True(r.ExitCode != 0, $"uid {user.Uid} was admitted with {string.Join(' ', args)}\n{r}");
            Assert.Contains(reason, r.Stderr, StringComparison.Ordinal);
        }

        Assert.False(await bed.Host.LinkExistsAsync("vif10.0", Ct), "a refused Connect left vif10.0 behind");
        Assert.False(await guest.LinkExistsAsync("eth1", Ct), "a refused netfront left its guest TAP behind");
        Assert.False(daemon.HasExited, $"netbackd exited\n{daemon.Describe()}");
        Assert.False(front.HasExited, $"the user's netfront exited\n{front.Describe()}");
        await bed.PingAsync(guest, $"{net}.1", Ct); // the healthy vif carried on through every refusal
    }

    private async Task<string> CtlAsync(Testbed bed, params string[] arguments)
    {
        ProcessResult r = await ChildProcess.RunAsync(Binaries.Netbackctl, ["--admin-socket", bed.AdminSocketPath, .. arguments],
            TimeSpan.FromSeconds(20), Ct);
        Assert.True(r.ExitCode == 0, $"netbackctl {string.Join(' ', arguments)} failed\n{r}");
        Output.WriteLine($"$ netbackctl {string.Join(' ', arguments)}\n{r.Stdout.TrimEnd()}");
        return r.Stdout;
    }
}
