using System.Diagnostics;
using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>
/// A frontend that stops taking frames (here: netfront SIGSTOPped): after the stall timeout the vif's
/// carrier goes off, so the host stack stops queueing for it; when the frontend runs again the
/// carrier comes back and traffic flows, as netback's rx_stall_timeout handling does.
/// </summary>
public sealed class RxStallCarrierTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task A_stopped_frontend_loses_carrier_after_the_stall_timeout_and_gets_it_back()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        NetNamespace guest = bed.Guests[0];
        await bed.StartDaemonAsync(Ct, "--Netback:RxStallTimeoutMs", "1000", "--Netback:RxDrainTimeoutMs", "500");
        Frontend front = await bed.AttachAsync(guest, $"{net}.2/24", Ct);
        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);
        await bed.PingAsync(guest, $"{net}.1", Ct); // neighbours resolved both ways

        front.Process.SendSignal(19); // SIGSTOP: no more RX buffers posted
        var clock = Stopwatch.StartNew();
        // More frames than the 256 posted buffers; the host gets no replies.
        bed.Track(bed.Host.Start("ping", "ping", "-c", "400", "-i", "0.002", "-W", "1", "-q", $"{net}.2"));
        bool off = await WaitForCarrierAsync(bed, front.Vif, carrier: false, TimeSpan.FromSeconds(10));
        var offAfter = clock.Elapsed;

        front.Process.SendSignal(18); // SIGCONT
        clock.Restart();
        bool on = await WaitForCarrierAsync(bed, front.Vif, carrier: true, TimeSpan.FromSeconds(10));
        var onAfter = clock.Elapsed;
        Output.WriteLine($"carrier off {offAfter.TotalMilliseconds:0} ms after SIGSTOP (stall timeout 1000 ms), on {onAfter.TotalMilliseconds:0} ms after SIGCONT");
        Assert.True(off, $"{front.Vif} kept its carrier with a stopped frontend\n{bed.Daemon!.Describe()}");
        Assert.True(on, $"{front.Vif} did not get its carrier back\n{bed.Daemon!.Describe()}");
        Assert.Contains("guest Rx stalled", bed.Daemon!.Stdout, StringComparison.Ordinal);
        await bed.PingAsync(guest, $"{net}.1", Ct);
    }

    private static async Task<bool> WaitForCarrierAsync(Testbed bed, string vif, bool carrier, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            ProcessResult r = await bed.Host.IpAsync(Ct, "-o", "link", "show", "dev", vif);
            bool noCarrier = r.Stdout.Contains("NO-CARRIER", StringComparison.Ordinal);
            if (noCarrier != carrier)
            {
                return true;
            }
            await Task.Delay(50, Ct);
        }
        return false;
    }
}
