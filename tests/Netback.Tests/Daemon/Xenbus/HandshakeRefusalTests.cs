using Ring.Shared.Abi;
using Ring.Shared.Control;
using Ring.Shared.Interop;
using Ring.Shared.Memory;
using Netback.Tests.Support;
using static Netback.Tests.Daemon.DaemonTestKit;

namespace Netback.Tests.Daemon.Xenbus;

/// <summary>
/// Connects the real in-process backend refuses (DESIGN §4): the frontend gets an Error with the
/// reason, nothing is registered, and the backend goes on serving good frontends.
/// </summary>
public sealed class HandshakeRefusalTests
{
    public enum Bad
    {
        UnsealedMemfd,
        MemfdOfWrongSize,
        PipeInsteadOfEventfd,
        RegularFileAsGrantArea,
        PipeAsGrantArea,
        SocketAsGrantArea,
        EventfdAsGrantArea,
        MemfdThatCannotBeSealed,
        MemfdTooSmallForItsRings,
        SocketInsteadOfEventfd,
        MemfdInsteadOfEventfd,
    }

    [Theory]
    [InlineData(Bad.UnsealedMemfd, "lacks required seals")]
    [InlineData(Bad.MemfdOfWrongSize, "the handshake announced")]
    [InlineData(Bad.PipeInsteadOfEventfd, "is not an eventfd")]
    [InlineData(Bad.RegularFileAsGrantArea, "not a memfd")]
    [InlineData(Bad.PipeAsGrantArea, "not a regular file")]
    [InlineData(Bad.SocketAsGrantArea, "not a regular file")]
    [InlineData(Bad.EventfdAsGrantArea, "not a regular file")]
    [InlineData(Bad.MemfdThatCannotBeSealed, "lacks required seals")]
    [InlineData(Bad.MemfdTooSmallForItsRings, "the handshake announced")]
    [InlineData(Bad.SocketInsteadOfEventfd, "is not an eventfd")]
    [InlineData(Bad.MemfdInsteadOfEventfd, "is not an eventfd")]
    public async Task A_bad_fd_in_Connect_is_refused_with_the_reason(Bad bad, string reasonPart)
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Open(backend.SocketPath);
        var fds = f.StandardFds();
        var owned = new List<FileDescriptorHandle>();
        string? tempFile = null;
        try
        {
            switch (bad)
            {
                case Bad.UnsealedMemfd:
                    owned.Add(fds[0] = Native.Memfd((long)HostileFrontend.GrantPages * GrantArea.PageSize));
                    break;
                case Bad.MemfdOfWrongSize:
                    owned.Add(fds[0] = Native.Memfd((long)(HostileFrontend.GrantPages + 1) * GrantArea.PageSize, GrantArea.RequiredSeals));
                    break;
                case Bad.PipeInsteadOfEventfd:
                    var (read, write) = Native.Pipe();
                    owned.Add(read);
                    owned.Add(write);
                    fds[3] = read; // RX kick
                    break;
                case Bad.PipeAsGrantArea:
                    var (pipeRead, pipeWrite) = Native.Pipe();
                    owned.Add(pipeWrite);
                    owned.Add(fds[0] = pipeRead);
                    break;
                case Bad.SocketAsGrantArea:
                    var (socket, peer) = TapSocketPair.Create();
                    peer.Dispose();
                    owned.Add(fds[0] = socket);
                    break;
                case Bad.EventfdAsGrantArea:
                    owned.Add(fds[0] = Native.Eventfd());
                    break;
                case Bad.MemfdThatCannotBeSealed:
                    owned.Add(fds[0] = Native.Memfd((long)HostileFrontend.GrantPages * GrantArea.PageSize, allowSealing: false));
                    break;
                case Bad.MemfdTooSmallForItsRings:
                    owned.Add(fds[0] = Native.Memfd(GrantArea.PageSize, GrantArea.RequiredSeals));
                    break;
                case Bad.SocketInsteadOfEventfd:
                    var (txKickSocket, txKickPeer) = TapSocketPair.Create();
                    txKickPeer.Dispose();
                    owned.Add(fds[1] = txKickSocket); // TX kick
                    break;
                case Bad.MemfdInsteadOfEventfd:
                    owned.Add(fds[4] = Native.Memfd(GrantArea.PageSize, GrantArea.RequiredSeals)); // RX call
                    break;
                case Bad.RegularFileAsGrantArea:
                    tempFile = Path.GetTempFileName();
                    File.WriteAllBytes(tempFile, new byte[HostileFrontend.GrantPages * GrantArea.PageSize]);
                    using (var fs = File.OpenHandle(tempFile, FileMode.Open, FileAccess.ReadWrite))
                    {
                        owned.Add(fds[0] = Native.Dup(new FileDescriptorHandle((int)fs.DangerousGetHandle(), ownsHandle: false)));
                    }
                    break;
            }
            f.SendConnect(HostileFrontend.StandardConnect(), fds);
            var reply = f.ReceiveControl();
            AssertReason(reply, ControlMessageType.Error, XenbusState.Closing, reasonPart);
            Assert.True(f.WaitForEof());
            Assert.Equal(0, backend.Registry.Count);
            Assert.Empty(backend.Registry.Snapshot());
            Assert.Empty(backend.Taps.Names); // no TAP was created either
            Assert.Contains(Warnings(backend), w => w.Contains(reasonPart, StringComparison.Ordinal));

            using var good = Healthy(backend);
            AssertPassesFramesBothWays(backend, good, 0x60);
        }
        finally
        {
            foreach (var h in owned)
            {
                h.Dispose();
            }
            if (tempFile is not null)
            {
                File.Delete(tempFile);
            }
        }
    }

    [Fact]
    public async Task No_Connect_within_the_handshake_timeout_is_refused()
    {
        await using var backend = new InProcessBackend(o => o.HandshakeTimeoutSeconds = 1);
        using var f = HostileFrontend.Open(backend.SocketPath);
        var started = DateTime.UtcNow;
        var reply = f.ReceiveControl(TimeSpan.FromSeconds(15));
        var waited = DateTime.UtcNow - started;
        AssertReason(reply, ControlMessageType.Error, XenbusState.Closing, "no Connect within 1 s");
        Assert.True(waited >= TimeSpan.FromMilliseconds(800), $"refused after {waited.TotalMilliseconds} ms, before the timeout");
        Assert.True(f.WaitForEof());
        Assert.Equal(0, backend.Registry.Count);

        using var good = Healthy(backend);
        AssertPassesFramesBothWays(backend, good, 0x70);
    }

    [Fact]
    public async Task A_Connect_naming_an_fd_twice_is_refused_and_every_fd_it_carried_is_closed()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Open(backend.SocketPath);
        var m = HostileFrontend.StandardConnect();
        m.Set(XenbusKeys.EventChannelRx, "1,4"); // TX kick reused; fd 3 unnamed
        f.SendConnect(m, f.StandardFds());
        AssertReason(f.ReceiveControl(), ControlMessageType.Error, XenbusState.Closing, "used twice");
        Assert.True(f.WaitForEof());
        Assert.Equal(0, backend.Registry.Count);
    }

    [Fact]
    public async Task A_frontend_that_says_Closing_before_Connect_creates_nothing()
    {
        await using var backend = new InProcessBackend();
        using var f = HostileFrontend.Open(backend.SocketPath);
        f.Channel.Send(new ControlMessage(ControlMessageType.State) { State = XenbusState.Closing });
        Assert.True(f.WaitForEof());
        Assert.Equal(0, backend.Registry.Count);
        Assert.Empty(Warnings(backend));
    }
}
