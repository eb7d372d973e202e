using System.Net.NetworkInformation;
using Netback.Daemon.Configuration;
using Netback.Daemon.Interface;
using Ring.Shared.Offload;
using Ring.Shared.Rings;

namespace Netback.Tests.Support;

/// <summary>A vif plan with no queues, for tests of a <see cref="Vif"/>'s own life (teardown, fatal errors).</summary>
internal static class SampleVifPlan
{
    public static VifPlan Create(int handle = 0) => new()
    {
        Identity = new VifIdentity(9, handle, $"vif9.{handle}"),
        Mac = PhysicalAddress.Parse("00-16-3E-00-00-09"),
        Mtu = 1500,
        Script = HotplugScript.In("/nonexistent", "vif-bridge", TimeSpan.FromSeconds(1)),
        Offloads = VifOffloads.For(false, OffloadFeatures.None, TxCopyMode.Direct),
        RingPageOrder = 0,
        Layout = RingLayout.Xen,
        SplitEventChannels = true,
        GrantPages = 4,
        DataPageFirst = 2,
        GrantAreaFd = 0,
        Queues = [],
    };
}
