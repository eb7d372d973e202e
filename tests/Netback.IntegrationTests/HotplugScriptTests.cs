using System.Diagnostics;
using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// The hotplug scripts of scripts/hotplug run by a real daemon, as Xen runs them: <c>online</c> once the
/// vif's TAP exists (before Connected), <c>offline</c> before it goes. vif-bridge (the default) puts the
/// vif on <c>bridge=</c>; vif-route gives each <c>ip=</c> a host route and turns proxy ARP on; a
/// script that fails or hangs refuses the vif with its reason and leaves no TAP, and a hung script
/// does not hold up another frontend's handshake.
/// </summary>
public sealed class HotplugScriptTests(ITestOutputHelper output) : IntegrationTest(output)
{
    private const string Bridge = "nbbr0";

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Vif_bridge_the_default_puts_the_vif_on_its_bridge_and_offline_takes_it_off()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        await bed.Host.IpAsync(Ct, "link", "add", Bridge, "type", "bridge");
        await bed.Host.IpAsync(Ct, "addr", "add", $"{net}.1/24", "dev", Bridge);
        await bed.Host.IpAsync(Ct, "link", "set", Bridge, "up");
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);

        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct, "--vif", $"bridge={Bridge}", "--queues", "1");
        string link = (await bed.Host.IpAsync(Ct, "-o", "link", "show", "dev", front.Vif)).Stdout;
        Assert.True(link.Contains($"master {Bridge}", StringComparison.Ordinal) && link.Contains(",UP", StringComparison.Ordinal),
            $"vif-bridge did not put {front.Vif} on {Bridge} and up:\n{link}");
        await bed.PingAsync(guest, $"{net}.1", Ct);
        await WaitForLogAsync(daemon, $"vif-bridge online: vif-bridge: online {front.Vif} on {Bridge}");

        await front.Process.StopAsync(TimeSpan.FromSeconds(3));
        await WaitForLogAsync(daemon, $"vif-bridge offline: vif-bridge: offline {front.Vif} on {Bridge}");
        Assert.True(await bed.Host.WaitForLinkAsync(front.Vif, present: false, TimeSpan.FromSeconds(10), Ct), $"{front.Vif} is left behind");
        Assert.False(daemon.HasExited, $"netbackd exited\n{daemon.Describe()}");
    }

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Vif_route_adds_a_host_route_and_proxy_arp_for_ip_and_removes_the_route_offline()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        // The host's own address in the guest's subnet, on no link the guest shares: reached by routing.
        await bed.Host.IpAsync(Ct, "addr", "add", $"{net}.1/32", "dev", "lo");
        await bed.Host.IpAsync(Ct, "link", "set", "lo", "up");
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);

        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct, "--vif", $"script=vif-route,ip={net}.2", "--queues", "1");
        string routes = (await bed.Host.IpAsync(Ct, "-4", "route", "show", "dev", front.Vif)).Stdout;
        Assert.True(routes.Contains($"{net}.2", StringComparison.Ordinal), $"no host route to {net}.2 through {front.Vif}:\n{routes}");
        ProcessResult proxyArp = await bed.Host.RunAsync(TimeSpan.FromSeconds(10), Ct, "cat", $"/proc/sys/net/ipv4/conf/{front.Vif}/proxy_arp");
        Assert.Equal("1", proxyArp.Stdout.Trim());
        await bed.PingAsync(guest, $"{net}.1", Ct);

        await front.Process.StopAsync(TimeSpan.FromSeconds(3));
        await WaitForLogAsync(daemon, $"vif-route offline: vif-route: offline {front.Vif} routes {net}.2");
        Assert.True(await bed.Host.WaitForLinkAsync(front.Vif, present: false, TimeSpan.FromSeconds(10), Ct), $"{front.Vif} is left behind");
        string after = (await bed.Host.IpAsync(Ct, "-4", "route", "show")).Stdout;
        Assert.DoesNotContain($"{net}.2", after, StringComparison.Ordinal);
    }

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task A_failing_online_script_refuses_the_vif_with_its_reason_and_leaves_nothing_behind()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        string marker = Path.Combine(bed.TempDir, "offline-ran");
        bed.WriteScript("vif-fails", $"[ \"$1\" = offline ] && {{ touch {marker}; exit 0; }}; echo 'uplink eth9 is down' >&2; exit 2");
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);

        ProcessResult refused = await AttachRefusedAsync(bed, guest, "script=vif-fails", "--domid", "5");
        Assert.Contains("hotplug script vif-fails online failed: exit status 2: uplink eth9 is down", refused.Stderr, StringComparison.Ordinal);
        // The frontend has its Error first; then the vif is torn down: offline, and the TAP goes.
        await WaitForAsync(() => File.Exists(marker), TimeSpan.FromSeconds(10), "offline did not run after the failed online");
        Assert.True(await bed.Host.WaitForLinkAsync("vif5.0", present: false, TimeSpan.FromSeconds(10), Ct), "vif5.0 is left behind");

        // A name that leaves the script directory is refused before anything runs.
        ProcessResult hostile = await AttachRefusedAsync(bed, guest, "script=../../../bin/true", "--domid", "5");
        Assert.Contains("is not a script name", hostile.Stderr, StringComparison.Ordinal);

        // The identity and the lease came back: the same domid attaches with the default script.
        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct, "--domid", "5", "--queues", "1");
        Assert.Equal("vif5.0", front.Vif);
        Assert.False(daemon.HasExited, $"netbackd exited\n{daemon.Describe()}");
    }

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task A_hung_script_is_killed_at_the_timeout_and_does_not_hold_up_another_frontend()
    {
        Testbed bed = await CreateTestbedAsync(guests: 2);
        string net = bed.Subnet(1);
        string pidFile = Path.Combine(bed.TempDir, "hung-pid");
        bed.WriteScript("vif-hangs", $"[ \"$1\" = offline ] && exit 0; sleep 600 & echo $! > {pidFile}; echo 'waiting for the switch' >&2; wait");
        ChildProcess daemon = await bed.StartDaemonAsync(Ct, "--Netback:ScriptTimeoutSeconds", "8");

        var clock = Stopwatch.StartNew();
        Task<ProcessResult> hung = AttachRefusedAsync(bed, bed.Guests[0], "script=vif-hangs", "--domid", "6");
        await WaitForAsync(() => File.Exists(pidFile), TimeSpan.FromSeconds(10), "the hanging script never started");
        Frontend other = await bed.AttachAsync(bed.Guests[1], $"{net}.2/24", Ct, "--domid", "7", "--queues", "1");
        TimeSpan otherAttached = clock.Elapsed;
        bool hungStillPending = !hung.IsCompleted;
        ProcessResult refused = await hung;
        TimeSpan refusedAt = clock.Elapsed;
        Output.WriteLine($"other frontend attached at {otherAttached.TotalMilliseconds:0} ms, the hung one refused at {refusedAt.TotalMilliseconds:0} ms");

        Assert.True(hungStillPending, $"the other frontend attached only once the hung script was killed ({otherAttached})");
        Assert.Contains("hotplug script vif-hangs online failed: timed out after 8 s, its process group killed (last line: waiting for the switch)",
            refused.Stderr, StringComparison.Ordinal);
        int pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await WaitForAsync(() => !File.Exists($"/proc/{pid}/stat"), TimeSpan.FromSeconds(5), $"the hung script's child {pid} survived");
        Assert.True(await bed.Host.WaitForLinkAsync("vif6.0", present: false, TimeSpan.FromSeconds(10), Ct), "vif6.0 is left behind");
        Assert.Equal("vif7.0", other.Vif);
        Assert.False(daemon.HasExited, $"netbackd exited\n{daemon.Describe()}");
    }

    /// <summary>
    /// vif-openvswitch with <c>bridge=BR.TAG</c>: the vif becomes an access port of VLAN TAG on the
    /// Open vSwitch bridge BR, and offline deletes the port. Needs a running Open vSwitch (skipped
    /// otherwise). ovs-vswitchd lives in the root network namespace and cannot open a TAP in the test's,
    /// so this checks what the script configures (the port and its tag in OVSDB), not forwarding; the
    /// bridge uses the userspace datapath (no kernel module) and has a name of its own, removed after.
    /// </summary>
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Vif_openvswitch_adds_the_vif_as_a_port_with_its_vlan_and_offline_deletes_it()
    {
        Requirements.RootAndTools();
        string? ovsVsctl = Requirements.FindOnPath("ovs-vsctl");
        if (ovsVsctl is null)
        {
            Assert.Skip("`ovs-vsctl` is not installed (apt-get install openvswitch-switch)");
        }
        ProcessResult show = await ChildProcess.RunAsync(ovsVsctl, ["--timeout=3", "show"], TimeSpan.FromSeconds(10), Ct);
        if (show.ExitCode != 0)
        {
            Assert.Skip($"Open vSwitch is not running (start it: /usr/share/openvswitch/scripts/ovs-ctl start): {show.Stderr.Trim()}");
        }
        Testbed bed = await CreateTestbedAsync();
        string id = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant()[..6];
        string ovsBridge = $"nbo{id}", vifName = $"nbv{id}";
        await OvsAsync(ovsVsctl, "add-br", ovsBridge, "--", "set", "bridge", ovsBridge, "datapath_type=netdev");
        bed.Defer(async () => await OvsAsync(ovsVsctl, "--if-exists", "del-br", ovsBridge));
        ChildProcess daemon = await bed.StartDaemonAsync(Ct);

        Frontend front = await bed.AttachAsync(bed.Guests[0], $"{bed.Subnet(0)}.2/24", Ct,
            "--vif", $"script=vif-openvswitch,bridge={ovsBridge}.10,vifname={vifName}", "--queues", "1");
        Assert.Equal(vifName, front.Vif);
        Assert.Contains(vifName, (await OvsAsync(ovsVsctl, "list-ports", ovsBridge)).Stdout.Split('\n'));
        Assert.Equal("10", (await OvsAsync(ovsVsctl, "get", "port", vifName, "tag")).Stdout.Trim());
        await WaitForLogAsync(daemon, $"vif-openvswitch online: vif-openvswitch: online {vifName} on Open vSwitch {ovsBridge} tag 10");

        await front.Process.StopAsync(TimeSpan.FromSeconds(3));
        await WaitForLogAsync(daemon, $"vif-openvswitch offline: vif-openvswitch: offline {vifName} on Open vSwitch {ovsBridge} tag 10");
        Assert.DoesNotContain(vifName, (await OvsAsync(ovsVsctl, "list-ports", ovsBridge)).Stdout, StringComparison.Ordinal);
        Assert.True(await bed.Host.WaitForLinkAsync(vifName, present: false, TimeSpan.FromSeconds(10), Ct), $"{vifName} is left behind");
    }

    private static async Task<ProcessResult> OvsAsync(string ovsVsctl, params string[] arguments)
    {
        ProcessResult r = await ChildProcess.RunAsync(ovsVsctl, ["--timeout=10", .. arguments], TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    /// <summary>A netfront that must be refused (<c>--no-reconnect</c>): its result once it exits.</summary>
    private static async Task<ProcessResult> AttachRefusedAsync(Testbed bed, NetNamespace guest, string vifSpec, params string[] extra)
    {
        ChildProcess netfront = bed.Track(guest.Start($"netfront --vif {vifSpec}", Binaries.Netfront,
            ["attach", "--socket", bed.SocketPath, "--name", "eth0", "--no-reconnect", "--vif", vifSpec, .. extra]));
        Assert.True(await netfront.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct), $"--vif {vifSpec} was not refused\n{netfront.Describe()}");
        ProcessResult r = netfront.Result();
        Assert.True(r.ExitCode != 0, $"--vif {vifSpec} attached\n{r}");
        return r;
    }

    private static async Task WaitForLogAsync(ChildProcess daemon, string text) =>
        await daemon.WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), TimeSpan.FromSeconds(10), Ct);

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, failure);
            await Task.Delay(20, Ct);
        }
    }
}
