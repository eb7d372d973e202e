using System.Net.Sockets;
using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// Socket activation without systemd: the test holds the listening control socket as a socket unit
/// does and passes it to each netbackd it starts (fd 3, LISTEN_FDS=1, LISTEN_FDNAMES=control,
/// LISTEN_PID set by the shell that execs netbackd). Across a restart the socket stays: a frontend
/// that connects while no daemon runs is queued, not refused, and the next daemon serves it.
/// </summary>
public sealed class SocketActivationTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task A_frontend_connecting_while_the_daemon_restarts_is_served_by_the_next_daemon()
    {
        Testbed bed = await CreateTestbedAsync(guests: 2);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(bed.SocketPath));
        listener.Listen(64);

        ChildProcess first = await StartActivatedAsync(bed, listener, "netbackd-1");
        Assert.Contains("inherited from the service manager", first.Stdout, StringComparison.Ordinal);
        Frontend before = await bed.AttachAsync(bed.Guests[0], $"{bed.Subnet(0)}.2/24", Ct, "--no-reconnect");
        Assert.True(await bed.Host.WaitForLinkAsync(before.Vif, present: true, Testbed.StartTimeout, Ct), $"{before.Vif} did not appear");

        first.SendSignal(Signals.SIGTERM);
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(10), Ct), $"netbackd still runs 10 s after SIGTERM\n{first.Describe()}");
        Assert.True(first.ExitCode == 0, $"netbackd exited {first.ExitCode}\n{first.Describe()}");
        Assert.True(File.Exists(bed.SocketPath), "the stopped daemon removed the inherited socket's file");

        // No daemon now. A frontend that must not retry (--no-reconnect): a refused connect would end it.
        ChildProcess during = bed.Track(bed.Guests[1].Start("netfront (during restart)", Binaries.Netfront,
            "attach", "--socket", bed.SocketPath, "--name", "eth0", "--address", $"{bed.Subnet(1)}.2/24", "--no-reconnect"));
        await Task.Delay(500, Ct);
        Assert.False(during.HasExited, $"netfront gave up while no daemon ran (its connect was refused?)\n{during.Describe()}");

        ChildProcess second = await StartActivatedAsync(bed, listener, "netbackd-2");
        string line = await during.WaitForLineAsync(l => l.StartsWith("attached ", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
        Output.WriteLine($"queued frontend: {line}");
        Assert.False(second.HasExited, $"netbackd-2 exited\n{second.Describe()}");
        // Still the same socket: a plain connect works.
        using var probe = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        probe.Connect(new UnixDomainSocketEndPoint(bed.SocketPath));
    }

    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task An_inherited_stream_socket_stops_the_start_with_a_clear_error()
    {
        Testbed bed = await CreateTestbedAsync(guests: 0);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(bed.SocketPath));
        listener.Listen(8);

        ChildProcess daemon = Launch(bed, listener, "netbackd-stream");
        Assert.True(await daemon.WaitForExitAsync(Testbed.StartTimeout, Ct), $"netbackd did not exit\n{daemon.Describe()}");
        Assert.NotEqual(0, daemon.ExitCode);
        Assert.Contains("SOCK_STREAM", daemon.Stdout + daemon.Stderr, StringComparison.Ordinal);
    }

    private static async Task<ChildProcess> StartActivatedAsync(Testbed bed, Socket listener, string label)
    {
        ChildProcess daemon = Launch(bed, listener, label);
        await daemon.WaitForLineAsync(l => l.Contains("Listening on ", StringComparison.Ordinal), Testbed.StartTimeout, Ct);
        return daemon;
    }

    /// <summary>
    /// netbackd in the host namespace with <paramref name="listener"/> as fd 3: the fd is made
    /// inheritable only around the fork, and bash moves it to 3 and sets LISTEN_PID to its own pid,
    /// which exec keeps.
    /// </summary>
    private static ChildProcess Launch(Testbed bed, Socket listener, string label)
    {
        int fd = (int)listener.Handle;
        string move = fd == 3 ? "" : $"exec 3<&{fd} {fd}<&-; ";
        const int F_SETFD = 2, FD_CLOEXEC = 1;
        Assert.Equal(0, Tmds.Linux.LibC.fcntl(fd, F_SETFD, 0));
        try
        {
            return bed.Track(bed.Host.Start(label, "/bin/bash", "-c",
                move + "export LISTEN_FDS=1 LISTEN_FDNAMES=control LISTEN_PID=$$; exec \"$0\" \"$@\"",
                Binaries.Netbackd, "--socket", bed.SocketPath, "--admin-socket", bed.AdminSocketPath,
                "--Netback:StateDirectory", bed.StateDirectory, "--Netback:ScriptDirectory", bed.ScriptDirectory));
        }
        finally
        {
            _ = Tmds.Linux.LibC.fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    }
}
