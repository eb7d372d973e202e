using System.Security.Cryptography;
using Netback.IntegrationTests.Support;
using Ring.Shared.Tap;

namespace Netback.IntegrationTests;

/// <summary>
/// A vif's TAP is always new (IFF_TUN_EXCL on its first queue): an existing TAP of the same name,
/// someone else's persistent one, is never attached to, even by root and even if the name check
/// before it raced; and a vif's own later queues still attach to the device its first queue made.
/// </summary>
public sealed class TapExclusiveTests(ITestOutputHelper output) : IntegrationTest(output)
{
    [Fact(Timeout = IntegrationTest.TimeoutMs)]
    public async Task An_existing_tap_is_never_attached_to()
    {
        Testbed bed = await CreateTestbedAsync(guests: 0);
        string name = $"nbx{RandomNumberGenerator.GetHexString(6, lowercase: true)}";
        // A persistent multi-queue TAP with a virtio header, as the daemon's own: everything matches but ownership.
        await bed.Host.IpAsync(Ct, "tuntap", "add", "dev", name, "mode", "tap", "multi_queue", "vnet_hdr");

        // The daemon's TapDevice.Create runs in its own netns; here the test enters the host one for the call.
        Exception? error = await bed.Host.RunInAsync(() =>
        {
            try
            {
                using var attached = TapDevice.Create(name, 1, vnetHeader: true);
                return null;
            }
            catch (TapException e)
            {
                return e;
            }
        });
        Output.WriteLine(error?.Message ?? "attached");
        var refused = Assert.IsType<TapException>(error);
        Assert.Contains($"cannot create TAP {name}: a device of that name exists already", refused.Message, StringComparison.Ordinal);
        Assert.True(await bed.Host.LinkExistsAsync(name, Ct), "the existing TAP was removed by the refused attempt");

        // A fresh TAP still gets all its queues (IFF_TUN_EXCL on the first only).
        string fresh = $"nby{RandomNumberGenerator.GetHexString(6, lowercase: true)}";
        int queues = await bed.Host.RunInAsync(() =>
        {
            using var tap = TapDevice.Create(fresh, 4, vnetHeader: true);
            return tap.Queues.Count;
        });
        Assert.Equal(4, queues);
    }
}
