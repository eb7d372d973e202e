using System.Collections.Concurrent;
using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Client;

/// <summary>
/// <see cref="NetfrontConnection"/>, the library's reconnect policy: a backend restart on the same
/// socket gets the same vif back within the backoff, the consumer's attachment stopped and started
/// again, carrier events in order; with <see cref="NetfrontReconnectPolicy.Never"/> the end is reported.
/// </summary>
public sealed class ConnectionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private sealed class Attachment(ConcurrentQueue<string> log, NetfrontDevice device) : IDisposable
    {
        public void Dispose() => log.Enqueue($"detach {device.VifName}");
    }

    private static async Task<NetfrontCarrierEventArgs> Next(BlockingCollection<NetfrontCarrierEventArgs> events) =>
        await Task.Run(() => events.TryTake(out var e, Wait) ? e : throw new TimeoutException("no carrier event"), TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_restarted_backend_gets_the_same_vif_back_with_carrier_off_then_on()
    {
        string dir = Directory.CreateTempSubdirectory("netfront-link-").FullName;
        string socket = Path.Combine(dir, "nb.sock");
        var log = new ConcurrentQueue<string>();
        using var events = new BlockingCollection<NetfrontCarrierEventArgs>();
        var first = new InProcessBackend(o => o.SocketPath = socket);
        InProcessBackend? second = null;
        try
        {
            using var connection = new NetfrontConnection(new NetfrontOptions { SocketPath = socket, Queues = 2 }, NetfrontReconnectPolicy.Default, d =>
            {
                log.Enqueue($"attach {d.VifName} {d.Mac} q{d.Queues.Count}");
                return new Attachment(log, d);
            });
            connection.CarrierChanged += (_, e) => events.Add(e);
            connection.Open();
            string vif = connection.Device!.VifName;
            string mac = connection.Device.Mac.ToString();

            await first.DisposeAsync();
            NetfrontCarrierEventArgs lost = await Next(events);
            Assert.False(lost.CarrierUp);
            Assert.Null(connection.Device);

            second = new InProcessBackend(o => o.SocketPath = socket);
            NetfrontCarrierEventArgs back = await Next(events);
            Assert.True(back.CarrierUp, back.Reason);
            Assert.True(back.Attempt >= 1);
            Assert.Equal(vif, connection.Device!.VifName);
            Assert.Equal(mac, connection.Device.Mac.ToString());
            Assert.Equal(2, connection.Device.Queues.Count);
            Assert.Equal([$"attach {vif} {mac} q2", $"detach {vif}", $"attach {vif} {mac} q2"], log.ToArray());
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }
            Directory.Delete(dir, recursive: true);
        }
        Assert.Equal($"detach {log.ToArray()[0].Split(' ')[1]}", log.ToArray()[^1]); // Dispose stopped the last attachment
    }

    [Fact]
    public async Task Without_reconnecting_the_end_is_reported_with_the_backends_reason()
    {
        var backend = new InProcessBackend();
        try
        {
            using var ended = new BlockingCollection<NetfrontCarrierEventArgs>();
            using var connection = new NetfrontConnection(new NetfrontOptions { SocketPath = backend.SocketPath }, NetfrontReconnectPolicy.Never,
                d => new Attachment(new ConcurrentQueue<string>(), d));
            connection.Ended += (_, e) => ended.Add(e);
            connection.Open();

            await backend.DisposeAsync();

            NetfrontCarrierEventArgs e = await Next(ended);
            Assert.False(e.CarrierUp);
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            Assert.Null(connection.Device);
        }
        finally
        {
            await backend.DisposeAsync();
        }
    }
}
