using System.Globalization;
using Microsoft.Extensions.Logging;
using Netback.Daemon.Access;
using Netback.Daemon.Configuration;
using Ring.Shared.Abi;
using Ring.Shared.Control;
using Netback.Tests.Daemon.Access;
using Netback.Tests.Support;
using Tmds.Linux;
using Netback.Daemon.Diagnostics;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Access;

/// <summary>
/// Netback:Access on the real in-process backend: a Connect the policy refuses gets an Error with
/// the reason, one Warning (event 40) and a count, and nothing is created for it. The rules name
/// the test's own uid, which no rule exempts (refusals at accept need a second uid: the root
/// integration test AccessControlTests does those). Serial: one test counts this process's fds,
/// which a parallel test's sockets would move.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class AccessRefusalTests
{
    private static readonly uint Me = LibC.geteuid();

    private static InProcessBackend Backend(int? maxVifs, string[] macs, string[] names, out List<string> created)
    {
        var backend = new InProcessBackend(o => o.Access.Rules.Add(AccessPolicyTests.Rule(Me, maxVifs, macs, names)));
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

    /// <summary>Sends the standard Connect (with <paramref name="vifSpec"/>) and asserts the refusal and that nothing exists.</summary>
    private static void AssertRefused(InProcessBackend backend, string? vifSpec, string reasonPart, RefusalReason reason,
        int vifsBefore)
    {
        long countBefore = RefusalCounters.Read(reason);
        int warningsBefore = RefusalWarnings(backend).Length;
        using var f = HostileFrontend.Open(backend.SocketPath);
        var m = HostileFrontend.StandardConnect();
        if (vifSpec is not null)
        {
            m.Set(XenbusKeys.VifSpec, vifSpec);
        }
        f.SendConnect(m, f.StandardFds());
        string text = AssertReason(f.ReceiveControl(), ControlMessageType.Error, XenbusState.Closing, reasonPart);
        Assert.True(f.WaitForEof(), "the backend kept the refused connection open");
        Assert.Equal(vifsBefore, backend.Registry.Count);

        var warnings = RefusalWarnings(backend);
        Assert.Equal(warningsBefore + 1, warnings.Length);
        string warning = warnings[^1];
        Assert.Contains(text, warning, StringComparison.Ordinal);
        Assert.Contains($"uid {Me} gid {(uint)LibC.getegid()}", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(backend.Logs.Entries, e => e.Id.Id == 5 && e.Message.Contains(text, StringComparison.Ordinal));
        Assert.True(RefusalCounters.Read(reason) > countBefore, $"netback.connections.refused{{reason={reason.ToTag()}}} did not grow");
    }

    private static string[] RefusalWarnings(InProcessBackend backend) =>
        backend.Logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Id.Id == 40).Select(e => e.Message).ToArray();

    [Fact]
    public async Task The_vif_limit_of_a_uid_refuses_the_next_Connect_until_a_vif_goes()
    {
        await using var backend = Backend(1, [], [], out var created);
        var first = HostileFrontend.Connect(backend.SocketPath);
        try
        {
            AssertRefused(backend, null, $"uid {Me} has 1 vifs, the limit is 1", RefusalReason.VifLimit, vifsBefore: 1);
            Assert.Single(created);
        }
        finally
        {
            first.Dispose();
        }
        Assert.True(backend.WaitForVifCount(0, Patience));
        // The lease went with the vif: the uid may connect again.
        using var again = Healthy(backend);
        AssertPassesFramesBothWays(backend, again, 0x21);
        Assert.Equal(2, created.Count);
    }

    [Fact]
    public async Task A_MAC_outside_the_uids_globs_is_refused_and_nothing_is_created()
    {
        await using var backend = Backend(null, ["02:00:00:*"], [], out var created);
        int fds = Native.SettledFdCount();
        // No mac= in the vifspec: the generated Xen MAC (00:16:3e:…) is what the policy judges.
        AssertRefused(backend, null, "mac 00:16:3e:", RefusalReason.Mac, vifsBefore: 0);
        AssertRefused(backend, "mac=00:16:3e:00:00:07", $"mac 00:16:3e:00:00:07 not allowed for uid {Me}", RefusalReason.Mac, vifsBefore: 0);
        Assert.Empty(created);
        Assert.True(Eventually(() => Native.SettledFdCount() <= fds), "the refused Connects' fds were not all closed");

        using var allowed = HostileFrontend.Connect(backend.SocketPath, "mac=02:00:00:00:00:07");
        Assert.Equal("02:00:00:00:00:07", allowed.Connected!.Get(XenbusKeys.Mac));
    }

    [Fact]
    public async Task A_vif_name_outside_the_uids_globs_is_refused()
    {
        await using var backend = Backend(null, [], ["web*"], out var created);
        // The generated name (vif1.0) is judged too, not only an explicit vifname=.
        AssertRefused(backend, null, $"vif name vif1.0 not allowed for uid {Me}", RefusalReason.VifName, vifsBefore: 0);
        AssertRefused(backend, "vifname=db0", "vif name db0 not allowed", RefusalReason.VifName, vifsBefore: 0);
        Assert.Empty(created);
        using var allowed = HostileFrontend.Connect(backend.SocketPath, "vifname=web0");
        Assert.Equal("web0", allowed.VifName);
        Assert.Equal(["web0"], created);
    }

    [Fact]
    public async Task A_bridge_outside_the_uids_globs_is_refused_before_any_TAP()
    {
        await using var backend = new InProcessBackend(o =>
        {
            var rule = AccessPolicyTests.Rule(Me, null, [], []);
            rule.Bridges.Add("xenbr*");
            o.Access.Rules.Add(rule);
        });
        bool created = false;
        backend.Taps.Created += (_, _) => created = true;
        AssertRefused(backend, "bridge=mgmt0", $"bridge mgmt0 not allowed for uid {Me}", RefusalReason.Bridge, vifsBefore: 0);
        Assert.False(created);
    }

    [Fact]
    public async Task A_refused_Connect_leaves_no_name_or_domid_reserved()
    {
        await using var backend = Backend(null, [], ["web*"], out _);
        AssertRefused(backend, "vifname=db0", "vif name db0", RefusalReason.VifName, vifsBefore: 0);
        // Had the refused Connect's reservation leaked, domid 1 would still be taken and this vif would get 2.
        using var allowed = HostileFrontend.Connect(backend.SocketPath, "vifname=web0");
        Assert.Equal("1", allowed.Connected!.Get(XenbusKeys.DomId));
    }

    [Fact]
    public async Task The_socket_gets_the_configured_mode_and_group()
    {
        uint gid = LibC.getegid();
        await using var backend = new InProcessBackend(o =>
        {
            o.SocketMode = "0640";
            o.SocketGroup = gid.ToString(CultureInfo.InvariantCulture);
        });
        var (mode, group) = Stat(backend.SocketPath);
        Assert.Equal(Convert.ToInt32("640", 8), mode & 0x1FF);
        Assert.Equal(gid, group);
        Assert.Contains(backend.Logs.Entries, e => e.Id.Id == 41 && e.Message.Contains($"mode 0640, group {gid} ({gid})", StringComparison.Ordinal));
        Assert.Empty(Warnings(backend));
    }

    [Fact]
    public async Task A_missing_default_group_is_one_info_line_saying_what_to_do_and_the_socket_keeps_the_daemons_group()
    {
        Assert.SkipWhen(SocketGroup.TryResolve(SocketGroup.Default, out _), "a 'netback' group exists on this machine");
        await using var backend = new InProcessBackend(o => o.SocketGroup = null);
        // The default group is optional (a machine without it serves root and Netback:Access): no
        // Warning at every start, one Info line naming the command that creates it.
        Assert.Empty(Warnings(backend));
        var info = Assert.Single(backend.Logs.Entries, e => e.Level == LogLevel.Information && e.Id.Id == 42);
        Assert.Contains("groupadd --system netback", info.Message, StringComparison.Ordinal);
        Assert.Equal((uint)LibC.getegid(), Stat(backend.SocketPath).Gid);
        using var device = Healthy(backend); // root and the daemon's own uid still connect
        AssertPassesFramesBothWays(backend, device, 0x31);
    }

    [Fact]
    public void The_peer_identity_is_the_kernels_record_of_the_connecting_process()
    {
        string dir = Directory.CreateTempSubdirectory("netback-unit-").FullName;
        try
        {
            string path = Path.Combine(dir, "peer.sock");
            using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix,
                System.Net.Sockets.SocketType.Seqpacket, System.Net.Sockets.ProtocolType.Unspecified);
            listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            using var client = ControlChannel.Connect(path);
            using var accepted = listener.Accept();
            var peer = PeerCredentials.Read(accepted);
            Assert.Equal(Environment.ProcessId, peer.Pid);
            Assert.Equal(Me, peer.Uid);
            Assert.Equal((uint)LibC.getegid(), peer.Gid);
            Assert.Equal(OwnGroups().Order(), peer.Groups.Order());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static uint[] OwnGroups()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Groups:", StringComparison.Ordinal));
        return line["Groups:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(g => uint.Parse(g, CultureInfo.InvariantCulture)).ToArray();
    }

    private static unsafe (int Mode, uint Gid) Stat(string path)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        stat st;
        fixed (byte* p = bytes)
        {
            Assert.Equal(0, LibC.lstat(p, &st));
        }
        return ((int)st.st_mode, st.st_gid);
    }
}
