using System.Net.Sockets;
using Netback.Daemon.Hosting;
using Netback.Tests.Support;

namespace Netback.Tests.Daemon.Hosting;

/// <summary>
/// A daemon started by hand publishes its sockets only once they listen (bound under a temporary
/// name, mode and group set, listen(), rename(2) onto the path): a client polling the path never
/// finds it refusing, and the refusals that protect a live daemon's socket or a file that is not a
/// socket still hold.
/// </summary>
public sealed class SocketPublishTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netback-publish-").FullName;

    private string SocketPath => Path.Combine(_dir, "nb.sock");

    [Fact]
    public void A_client_polling_the_path_never_finds_it_without_a_listener()
    {
        using var watcher = new SocketPathWatcher(SocketPath);
        for (int i = 0; i < 20; i++)
        {
            // A slow chmod/chown (the group lookup, say) is where bind-then-listen at the path refused clients.
            var published = SocketPublisher.Publish(SocketPath, "control", _ => Thread.Sleep(5), backlog: 64);
            WaitUntil(() => watcher.Accepted > i, "the watcher to connect to publish #" + i);
            published.RemoveIfOurs(); // the daemon's order at stop: the path first, then the listener
            published.Socket.Dispose();
        }
        watcher.Dispose();

        Assert.True(watcher.Refused == 0 && watcher.Other.Count == 0,
            $"{watcher.Refused} connects refused at an existing path (and {string.Join("; ", watcher.Other)}), {watcher.Accepted} accepted in {watcher.Looks} looks");
        Assert.Equal([], Directory.GetFileSystemEntries(_dir)); // no temporary name left behind
    }

    [Fact]
    public async Task The_daemon_control_socket_exists_only_while_listening_from_start_to_stop_with_its_mode_set_before()
    {
        using var watcher = new SocketPathWatcher(SocketPath);
        for (int i = 0; i < 5; i++)
        {
            await using var backend = new InProcessBackend(o =>
            {
                o.SocketPath = SocketPath;
                o.SocketMode = "0640";
            });
            WaitUntil(() => watcher.Accepted > i, "the watcher to connect to backend #" + i);
        }
        watcher.Dispose();

        Assert.True(watcher.Refused == 0, $"{watcher.Refused} connects refused at an existing path, {watcher.Accepted} accepted");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, watcher.FirstMode);
        Assert.False(File.Exists(SocketPath), "the stopped daemon left its socket");
    }

    [Fact]
    public void A_stale_socket_is_replaced_by_a_listening_one()
    {
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(SocketPath)); // closed without unlink: a daemon that died
        }
        Assert.Throws<SocketException>(Connect);

        var published = SocketPublisher.Publish(SocketPath, "control", _ => { }, backlog: 8);
        try
        {
            Connect();
        }
        finally
        {
            published.Socket.Dispose();
            published.RemoveIfOurs();
        }
    }

    [Fact]
    public void A_live_daemon_socket_is_refused_and_left_as_it_is()
    {
        using var live = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(SocketPath));
        live.Listen(8);
        var before = SocketFile.TryStat(SocketPath);

        var e = Assert.Throws<InvalidOperationException>(() => SocketPublisher.Publish(SocketPath, "control", _ => { }, backlog: 8));

        Assert.Contains("another netbackd is already listening", e.Message, StringComparison.Ordinal);
        Assert.True(SocketFile.TryStat(SocketPath) is { } after && after.SameFile(before!.Value), "the live socket file was replaced");
        Connect();
        Assert.Equal([SocketPath], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void A_path_that_is_not_a_socket_is_refused_and_left_as_it_is()
    {
        File.WriteAllText(SocketPath, "precious");

        var e = Assert.Throws<InvalidOperationException>(() => SocketPublisher.Publish(SocketPath, "control", _ => { }, backlog: 8));

        Assert.Contains("is not a socket", e.Message, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(SocketPath));
        Assert.Equal([SocketPath], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void A_failed_preparation_publishes_nothing_and_leaves_no_temporary_name()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            SocketPublisher.Publish(SocketPath, "control", _ => throw new InvalidOperationException("no such group"), backlog: 8));

        Assert.Equal("no such group", e.Message);
        Assert.Equal([], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void A_stopping_daemon_removes_its_own_socket_file_but_not_one_that_replaced_it()
    {
        var old = SocketPublisher.Publish(SocketPath, "control", _ => { }, backlog: 8);
        old.Socket.Dispose();
        var next = SocketPublisher.Publish(SocketPath, "control", _ => { }, backlog: 8); // found the old one stale, replaced it
        try
        {
            old.RemoveIfOurs();

            Assert.True(File.Exists(SocketPath), "the stopping daemon removed the next daemon's socket");
            Connect();
        }
        finally
        {
            next.Socket.Dispose();
            next.RemoveIfOurs();
        }
        Assert.False(File.Exists(SocketPath));
    }

    private void Connect()
    {
        using var client = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(SocketPath));
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            Thread.Sleep(1);
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
