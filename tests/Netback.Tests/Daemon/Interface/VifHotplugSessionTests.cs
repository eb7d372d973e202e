using Netback.Tests.Support;
using Netfront.Client;

namespace Netback.Tests.Daemon.Interface;

/// <summary>
/// The hotplug runs of a real session (socketpairs for TAPs, scripts that record instead of touching a
/// device): <c>online</c> with Xen's environment before Connected, <c>offline</c> when the vif goes; a
/// failing <c>online</c> is the frontend's refusal, <c>offline</c> runs after it and nothing is kept.
/// </summary>
public sealed class VifHotplugSessionTests : IDisposable
{
    private readonly ScriptDirectory _dir = new();
    private readonly SocketPairTapProvider _taps = new() { RunsHotplugScripts = true };

    public void Dispose()
    {
        _taps.Dispose();
        _dir.Dispose();
    }

    private InProcessBackend Backend(string script) => new(o =>
    {
        o.ScriptDirectory = _dir.Path;
        o.DefaultVifSpec = $"mtu=1500,script={script}";
    }, taps: _taps);

    private static bool WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }
        return condition();
    }

    [Fact]
    public async Task Online_runs_before_connected_with_xens_environment_and_offline_when_the_vif_goes()
    {
        _dir.Write("vif-record", ScriptDirectory.Recorder);
        await using var backend = Backend("vif-record");
        using (var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, DomId = 4, VifSpec = "ip=10.1.0.4 fd00::4" }))
        {
            string mac = NetfrontConnection.FormatMac(device.Mac.GetAddressBytes());
            string expected = $"vif=vif4.0 domid=4 devid=0 mac={mac} ip=10.1.0.4 fd00::4 bridge= mtu=1500 "
                + $"script={Path.Join(_dir.Path, "vif-record")} XENBUS_PATH=backend/vif/4/0";
            Assert.Equal([$"online {expected}"], _dir.Calls()); // done before Connected reached the frontend
            device.Close();
            Assert.True(WaitFor(() => _dir.Calls().Length == 2), string.Join('\n', _dir.Calls()));
            Assert.Equal($"offline {expected}", _dir.Calls()[1]);
        }
        Assert.True(backend.WaitForVifCount(0, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_failing_online_refuses_the_frontend_with_its_reason_then_offline_runs_and_nothing_is_kept()
    {
        _dir.Write("vif-fails", ScriptDirectory.Recorder + "\n[ \"$1\" = offline ] && exit 0\necho 'switch port 7 is err-disabled' >&2; exit 4");
        await using var backend = Backend("vif-fails");
        var e = Assert.Throws<NetfrontException>(() => NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, DomId = 3 }));
        Assert.Contains("hotplug script vif-fails online failed: exit status 4: switch port 7 is err-disabled", e.Message, StringComparison.Ordinal);
        Assert.True(WaitFor(() => _dir.Calls().Length == 2), string.Join('\n', _dir.Calls()));
        Assert.StartsWith("offline vif=vif3.0 ", _dir.Calls()[1], StringComparison.Ordinal);
        Assert.True(backend.WaitForVifCount(0, TimeSpan.FromSeconds(5)));
        // The identity and lease are free again: the same domid connects once the script is fixed.
        _dir.Write("vif-fails", ScriptDirectory.Recorder);
        using var device = NetfrontDevice.Connect(new NetfrontOptions { SocketPath = backend.SocketPath, DomId = 3 });
        Assert.Equal("vif3.0", device.VifName);
    }
}
