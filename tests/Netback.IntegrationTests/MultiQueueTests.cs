using Netback.IntegrationTests.Support;

namespace Netback.IntegrationTests;

/// <summary>Two queues (queue-N/ keys, one worker each) with 4-page rings attach and carry traffic.</summary>
public sealed class MultiQueueTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task Two_queues_with_ring_page_order_2_attach_and_ping()
    {
        Testbed bed = await CreateTestbedAsync();
        string net = bed.Subnet(0);
        // The default offer is min(cores, 4): ask for 2 explicitly so a 1-core runner still negotiates 2.
        await bed.StartDaemonAsync(Ct, "--max-queues", "2");

        Frontend front = await bed.AttachAsync(bed.Guests[0], $"{net}.2/24", Ct, "--queues", "2", "--ring-page-order", "2");
        Output.WriteLine(front.AttachedLine);
        // netfront quietly reduces what the backend does not offer: check what was negotiated.
        Assert.Equal("2", front.Negotiated("queues"));
        Assert.Equal("2", front.Negotiated("ring-page-order"));
        await bed.AddHostAddressAsync(front.Vif, $"{net}.1/24", Ct);
        // One TAP queue fd per vif queue on both sides (ip -d prints the attached count as numqueues).
        ProcessResult vif = await bed.Host.IpAsync(Ct, "-d", "link", "show", "dev", front.Vif);
        Assert.Contains("numqueues 2 ", vif.Stdout, StringComparison.Ordinal);
        ProcessResult eth0 = await bed.Guests[0].IpAsync(Ct, "-d", "link", "show", "dev", "eth0");
        Assert.Contains("numqueues 2 ", eth0.Stdout, StringComparison.Ordinal);
        await bed.PingAsync(bed.Guests[0], $"{net}.1", Ct);
    }
}
