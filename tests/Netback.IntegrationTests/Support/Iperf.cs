using System.Globalization;
using System.Text.Json;

namespace Netback.IntegrationTests.Support;

/// <summary>Runs one iperf3 TCP test between the host namespace (server) and a guest (client).</summary>
internal static class Iperf
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Bytes and bits per second from <c>end.sum_received</c>.</summary>
    public sealed record Figures(double Bytes, double BitsPerSecond)
    {
        public string Gbps => (BitsPerSecond / 1e9).ToString("0.000", CultureInfo.InvariantCulture);
    }

    public static async Task<Figures> RunAsync(Testbed bed, NetNamespace guest, string serverAddress, bool reverse, CancellationToken ct)
    {
        int port = Random.Shared.Next(20000, 60000);
        // -1: one test, then exit; --forceflush: stdout is a pipe, and the "listening" line must not sit in a buffer.
        ChildProcess server = bed.Track(bed.Host.Start(
            $"iperf3 server{(reverse ? " (-R)" : "")}", "iperf3",
            "-s", "-1", "-B", serverAddress, "-p", port.ToString(CultureInfo.InvariantCulture), "--forceflush"));
        await server.WaitForLineAsync(l => l.Contains("Server listening", StringComparison.Ordinal), Testbed.StartTimeout, ct);

        string[] client = ["iperf3", "-c", serverAddress, "-p", port.ToString(CultureInfo.InvariantCulture), "-t", "2", "-J"];
        ProcessResult r = await guest.RunAsync(RunTimeout, ct, reverse ? [.. client, "-R"] : client);
        Assert.True(r.ExitCode == 0, $"iperf3 client failed\n{r}");
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(10), ct), $"iperf3 -s -1 did not exit after its test\n{server.Describe()}");

        using JsonDocument json = JsonDocument.Parse(r.Stdout);
        JsonElement root = json.RootElement;
        Assert.False(root.TryGetProperty("error", out JsonElement error), $"iperf3 reported: {error}");
        JsonElement received = root.GetProperty("end").GetProperty("sum_received");
        var figures = new Figures(received.GetProperty("bytes").GetDouble(), received.GetProperty("bits_per_second").GetDouble());
        Assert.True(figures.Bytes > 0, $"iperf3 received no bytes\n{r.Stdout}");
        Assert.True(figures.BitsPerSecond > 0, $"iperf3 measured 0 bit/s\n{r.Stdout}");
        return figures;
    }

    /// <summary>
    /// Starts a 30 s iperf3 TCP test (guest to host) and returns once the client has reported its
    /// first one-second interval: traffic is flowing. Both processes are tracked by the testbed.
    /// </summary>
    public static async Task<(ChildProcess Server, ChildProcess Client)> StartBackgroundAsync(
        Testbed bed, NetNamespace guest, string serverAddress, CancellationToken ct)
    {
        string port = Random.Shared.Next(20000, 60000).ToString(CultureInfo.InvariantCulture);
        ChildProcess server = bed.Track(bed.Host.Start("iperf3 server", "iperf3", "-s", "-1", "-B", serverAddress, "-p", port, "--forceflush"));
        await server.WaitForLineAsync(l => l.Contains("Server listening", StringComparison.Ordinal), Testbed.StartTimeout, ct);
        ChildProcess client = bed.Track(guest.Start("iperf3 client", "iperf3", "-c", serverAddress, "-p", port, "-t", "30", "--forceflush"));
        await client.WaitForLineAsync(l => l.Contains("bits/sec", StringComparison.Ordinal), Testbed.StartTimeout, ct);
        return (server, client);
    }
}
