using System.Net.Sockets;
using Netback.Daemon.Hosting;

namespace Netback.Tests.Daemon.Hosting;

/// <summary>
/// Socket activation's reading of LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES and the checks on a passed
/// fd: a listening AF_UNIX SOCK_SEQPACKET socket, else a clear error; matched to its role by name
/// or bound path.
/// </summary>
public sealed class InheritedSocketsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netback-inherit-").FullName;
    private readonly List<Socket> _sockets = [];

    [Fact]
    public void Variables_for_another_process_or_none_give_no_fds()
    {
        Assert.Empty(InheritedSockets.Parse(null, null, null, 100));
        Assert.Empty(InheritedSockets.Parse("99", "1", "control", 100));
    }

    [Fact]
    public void Fds_start_at_3_with_their_names()
    {
        var fds = InheritedSockets.Parse("100", "2", "control:admin", 100);

        Assert.Equal([(3, "control"), (4, "admin")], fds);
        Assert.Equal([(3, (string?)null)], InheritedSockets.Parse("100", "1", null, 100));
    }

    [Theory]
    [InlineData("x", "1", null, "LISTEN_PID")]
    [InlineData("100", "-1", null, "LISTEN_FDS")]
    [InlineData("100", "2", "control", "LISTEN_FDNAMES")]
    public void Malformed_variables_are_an_error_naming_the_variable(string pid, string fds, string? names, string named)
    {
        var e = Assert.Throws<InvalidOperationException>(() => InheritedSockets.Parse(pid, fds, names, 100));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listening_seqpacket_socket_passes_the_check()
    {
        Assert.Null(InheritedSockets.Check(Fd(Listening(SocketType.Seqpacket, "a.sock"))));
    }

    [Fact]
    public void A_stream_socket_a_socket_not_listening_and_a_file_are_refused_in_words()
    {
        Assert.Contains("SOCK_STREAM", InheritedSockets.Check(Fd(Listening(SocketType.Stream, "s.sock"))), StringComparison.Ordinal);
        var unbound = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        _sockets.Add(unbound);
        Assert.Contains("not listening", InheritedSockets.Check(Fd(unbound)), StringComparison.Ordinal);
        using var file = File.OpenHandle(Path.Combine(_dir, "f"), FileMode.Create, FileAccess.ReadWrite);
        Assert.Equal("not a socket", InheritedSockets.Check((int)file.DangerousGetHandle()));
    }

    [Fact]
    public void Sockets_are_matched_by_name_or_by_bound_path_and_the_wrong_kind_is_refused_at_take()
    {
        string control = Path.Combine(_dir, "ctl.sock"), admin = Path.Combine(_dir, "admin.sock");
        var c = Listening(SocketType.Seqpacket, "ctl.sock");
        var a = Listening(SocketType.Seqpacket, "admin.sock");
        // Unnamed (systemd-socket-activate, no FileDescriptorName=), in the "wrong" order: by path.
        var sockets = new InheritedSockets([(Tmds.Linux.LibC.dup(Fd(a)), null), (Tmds.Linux.LibC.dup(Fd(c)), null)]);

        using (Socket taken = sockets.Take("control", control, admin)!)
        {
            Assert.Equal(control, InheritedSockets.BoundPath((int)taken.Handle));
        }
        using (Socket taken = sockets.Take("admin", admin, control)!)
        {
            Assert.Equal(admin, InheritedSockets.BoundPath((int)taken.Handle));
        }
        Assert.Equal(0, sockets.Count);

        var stream = Listening(SocketType.Stream, "stream.sock");
        var named = new InheritedSockets([(Tmds.Linux.LibC.dup(Fd(stream)), "control")]);
        var e = Assert.Throws<InvalidOperationException>(() => named.Take("control", control, admin));
        Assert.Contains("SOCK_STREAM", e.Message, StringComparison.Ordinal);
        Assert.Contains("ListenSequentialPacket=", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_unnamed_socket_bound_elsewhere_is_the_control_socket_but_never_the_admin_one()
    {
        var s = Listening(SocketType.Seqpacket, "elsewhere.sock");
        var sockets = new InheritedSockets([(Tmds.Linux.LibC.dup(Fd(s)), "netback.socket")]);

        Assert.Null(sockets.Take("admin", Path.Combine(_dir, "admin.sock"), Path.Combine(_dir, "ctl.sock")));
        using Socket? control = sockets.Take("control", Path.Combine(_dir, "ctl.sock"), Path.Combine(_dir, "admin.sock"));
        Assert.NotNull(control);
    }

    [Fact]
    public void Help_and_version_answer_0_and_anything_else_starts_the_daemon()
    {
        var help = new StringWriter();
        Assert.Equal(0, CommandLineInfo.Answer(["--socket", "/x", "--help"], help));
        Assert.Contains("Usage: netbackd", help.ToString(), StringComparison.Ordinal);
        var version = new StringWriter();
        Assert.Equal(0, CommandLineInfo.Answer(["--version"], version));
        Assert.StartsWith("netbackd ", version.ToString(), StringComparison.Ordinal);
        Assert.Null(CommandLineInfo.Answer(["--socket", "/x"], new StringWriter()));
    }

    private Socket Listening(SocketType type, string name)
    {
        var s = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
        _sockets.Add(s);
        s.Bind(new UnixDomainSocketEndPoint(Path.Combine(_dir, name)));
        s.Listen(4);
        return s;
    }

    private static int Fd(Socket s) => (int)s.Handle;

    public void Dispose()
    {
        foreach (var s in _sockets)
        {
            s.Dispose();
        }
        Directory.Delete(_dir, recursive: true);
    }
}
