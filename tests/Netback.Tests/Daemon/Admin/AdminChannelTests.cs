using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Netback.Daemon.Admin;
using Ring.Shared.Control;
using Netback.Tests.Support;
using Netfront.Client;
using Netback.Daemon.Hosting;

namespace Netback.Tests.Daemon.Admin;

/// <summary>The admin socket: list and a live rate change, round trip over the real codec.</summary>
public sealed class AdminChannelTests
{
    private static ControlMessage Request(string path, params (string Key, string Value)[] entries)
    {
        using var channel = ControlChannel.Connect(path);
        var m = new ControlMessage(ControlMessageType.AdminRequest);
        foreach (var (k, v) in entries)
        {
            m.Set(k, v);
        }
        channel.Send(m);
        using var reply = channel.Receive(TimeSpan.FromSeconds(10));
        return reply.Message;
    }

    [Fact]
    public async Task List_and_set_rate_round_trip()
    {
        await using var backend = new InProcessBackend();
        var admin = new AdminListener(Options.Create(backend.Options), backend.Registry, NullLogger<AdminListener>.Instance);
        await admin.StartAsync(CancellationToken.None);
        try
        {
            string path = backend.Options.AdminSocketPath;
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            using var device = NetfrontDevice.Connect(new NetfrontOptions
            {
                SocketPath = backend.SocketPath,
                VifSpec = "mac=00:16:3e:01:02:03,rate=10Mb/s",
                Queues = 2,
            });
            if (Environment.UserName != "root")
            {
                var refused = Request(path, (AdminKeys.Command, AdminKeys.CommandList));
                Assert.Equal(ControlMessageType.Error, refused.Type);
                Assert.Contains("only root", refused.Get(XenbusKeys.Reason), StringComparison.Ordinal);
                return;
            }

            var list = Request(path, (AdminKeys.Command, AdminKeys.CommandList));
            Assert.Equal(ControlMessageType.AdminReply, list.Type);
            Assert.Equal("1", list.Get(AdminKeys.VifCount));
            Assert.Equal(device.VifName, list.Get(AdminKeys.ForVif(0, AdminKeys.Name)));
            Assert.Equal("2", list.Get(AdminKeys.ForVif(0, AdminKeys.Queues)));
            Assert.Equal("00:16:3e:01:02:03", list.Get(AdminKeys.ForVif(0, AdminKeys.Mac)));
            Assert.Equal("10Mb/s@50ms", list.Get(AdminKeys.ForVif(0, AdminKeys.Rate)));
            Assert.Equal("0", list.Get(AdminKeys.ForVif(0, AdminKeys.SpoofDrops)));

            var set = Request(path, (AdminKeys.Command, AdminKeys.CommandSet), (AdminKeys.Vif, device.VifName), (AdminKeys.Rate, "500Mb/s@20ms"));
            Assert.Equal(ControlMessageType.AdminReply, set.Type);
            Assert.Equal("500Mb/s@20ms", set.Get(AdminKeys.Rate));
            var vif = backend.Registry.Snapshot().Single();
            Assert.Equal(1_250_000UL, vif.Rate!.BytesPerInterval);

            Assert.Equal(AdminKeys.RateNone, Request(path, (AdminKeys.Command, AdminKeys.CommandSet),
                (AdminKeys.Vif, device.VifName), (AdminKeys.Rate, AdminKeys.RateNone)).Get(AdminKeys.Rate));
            Assert.Null(vif.Rate);

            var noVif = Request(path, (AdminKeys.Command, AdminKeys.CommandSet), (AdminKeys.Vif, "vif99.0"), (AdminKeys.Rate, "1Mb/s"));
            Assert.Equal(ControlMessageType.Error, noVif.Type);
            Assert.Contains("no vif named 'vif99.0'", noVif.Get(XenbusKeys.Reason), StringComparison.Ordinal);
            var badRate = Request(path, (AdminKeys.Command, AdminKeys.CommandSet), (AdminKeys.Vif, device.VifName), (AdminKeys.Rate, "fast"));
            Assert.Equal(ControlMessageType.Error, badRate.Type);
            Assert.Contains("invalid rate", badRate.Get(XenbusKeys.Reason), StringComparison.Ordinal);
            var unknown = Request(path, (AdminKeys.Command, "reboot"));
            Assert.Contains("unknown command", unknown.Get(XenbusKeys.Reason), StringComparison.Ordinal);
        }
        finally
        {
            await admin.StopAsync(CancellationToken.None);
            admin.Dispose();
        }
        Assert.False(File.Exists(backend.Options.AdminSocketPath));
    }
}
